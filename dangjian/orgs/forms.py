from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from dangjian.orgs.models import Organisation


class OrganisationForm(WagtailAdminModelForm):
    """Places a new organisation in the tree, or moves an existing one."""

    parent = forms.ModelChoiceField(
        label="上级组织",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="留空表示顶级组织",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            # An organisation cannot move under itself or its own descendants.
            self.fields["parent"].queryset = Organisation.objects.exclude(
                path__startswith=self.instance.path
            )

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and parent.is_branch:
            raise ValidationError("党支部下不能再设组织")
        return parent

    def save(self, commit=True):
        parent = self.cleaned_data.get("parent")
        instance = self.instance
        if instance.pk is None:
            if parent is None:
                return Organisation.add_root(instance=instance)
            parent = Organisation.objects.get(pk=parent.pk)
            return parent.add_child(instance=instance)
        instance = super().save(commit=commit)
        current = instance.get_parent()
        if parent != current:
            if parent is None:
                first_root = Organisation.get_first_root_node()
                instance.move(first_root, pos="last-sibling")
            else:
                instance.move(Organisation.objects.get(pk=parent.pk), pos="last-child")
            instance.refresh_from_db()
        return instance

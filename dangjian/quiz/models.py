"""Question bank, paper templates (组卷规则), contests, attempts and contest standings.

An attempt keeps its drawn paper and the answers given in JSON on one row:
starting, saving and submitting are each a single-row write, which is what
lets a 2-core server grade hundreds of attempts a second. Item statistics
read those rows back in Python (see ``dangjian.quiz.stats``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

from dangjian.orgs.models import Organisation


class QuestionType(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    JUDGE = "judge", _("判断题")
    FILL = "fill", _("填空题")


CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.JUDGE}
JUDGE_OPTIONS = ["正确", "错误"]


class Difficulty(models.IntegerChoices):
    EASY = 1, _("易")
    MEDIUM = 2, _("中")
    HARD = 3, _("难")


# Not "QuestionQuerySet": django-stubs names the manager it builds after the
# queryset class, and experts already has one of that name.
class BankQuestionQuerySet(models.QuerySet["Question"]):
    def usable(self) -> Self:
        """Questions that may be drawn into papers: reviewed and not retired."""
        return self.filter(status=Question.Status.REVIEWED)

    def owned_by(self, organisations):
        return self.filter(owner__in=organisations)


class Question(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("待审核")
        REVIEWED = "reviewed", _("已审核")
        RETIRED = "retired", _("已停用")

    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="quiz_questions",
        verbose_name=_("所属单位"),
    )
    type = models.CharField(_("题型"), max_length=10, choices=QuestionType.choices)
    stem = models.TextField(_("题干"))
    # Options in their canonical order; papers shuffle them per attempt.
    options = models.JSONField(_("选项"), default=list, blank=True)
    # Choice questions: sorted option indexes. Fill-in: one list per blank of
    # accepted alternatives, e.g. [["中国共产党领导", "党的领导"]].
    answer = models.JSONField(_("答案"), default=list)
    explanation = models.TextField(_("解析"), blank=True)
    # Shown with the answer: where the question is taken from (a book, an
    # article), e.g. the "来源：…" a stem used to carry.
    source = models.CharField(_("出处"), max_length=200, blank=True)
    # Internal provenance (the data set or file it was imported from): kept
    # for the bank's keepers, never shown to people answering.
    provenance = models.CharField(
        _("数据来源（内部）"),
        max_length=200,
        blank=True,
        help_text=_("导入的数据集或文件，仅供题库管理，不向答题者显示"),
    )
    # The passage of the source text that holds the answer (found for the
    # questions drawn from the 20th Congress report), with its section.
    reference = models.TextField(_("原文"), blank=True)
    reference_section = models.CharField(_("原文章节"), max_length=200, blank=True)
    reference_url = models.CharField(_("原文链接"), max_length=300, blank=True)
    category = models.CharField(_("分类"), max_length=50, db_index=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    quality_flags = models.JSONField(_("质量标记"), default=list, blank=True)
    # Normalised stem + options: how duplicates are recognised on import.
    dedup_key = models.CharField(max_length=64, db_index=True, editable=False)
    external_id = models.CharField(
        _("外部编号"), max_length=64, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = BankQuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["id"]
        permissions = [("review_question", _("审核试题"))]
        indexes = [
            models.Index(
                fields=["status", "type", "category", "difficulty"],
                name="quiz_question_pool",
            )
        ]

    def __str__(self):
        return f"[{self.get_type_display()}] {self.stem[:40]}"

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def blank_count(self) -> int:
        return len(self.answer) if self.type == QuestionType.FILL else 0

    def answer_display(self) -> str:
        if self.type == QuestionType.FILL:
            return "；".join(" / ".join(alts) for alts in self.answer)
        if self.type == QuestionType.JUDGE:
            return JUDGE_OPTIONS[self.answer[0]] if self.answer else ""
        return "".join(chr(65 + i) for i in self.answer)


class Mode(models.TextChoices):
    DAILY = "daily", _("每日答题")
    SPECIAL = "special", _("专项答题")
    CHALLENGE = "challenge", _("挑战答题")
    CONTEST = "contest", _("知识竞赛")


class Scoring(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全对才得分")
    PARTIAL = "partial", _("少选按比例得分，错选不得分")


class PaperTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_mode(self, mode: str):
        return self.active().filter(mode=mode)


class PaperTemplate(ClusterableModel):
    """How a paper is put together: rules to draw by, or a fixed list of questions."""

    name: models.CharField[str, str] = models.CharField(_("名称"), max_length=100)
    slug: models.SlugField[str, str] = models.SlugField(
        _("标识"), max_length=50, unique=True
    )
    mode: models.CharField[str, str] = models.CharField(
        _("模式"), max_length=10, choices=Mode.choices
    )
    description: models.TextField[str, str] = models.TextField(_("说明"), blank=True)
    owner: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="quiz_templates",
        verbose_name=_("所属单位"),
    )
    time_limit_seconds: models.PositiveIntegerField[int, int] = (
        models.PositiveIntegerField(
            _("限时（秒）"), default=600, help_text=_("0 表示不限时")
        )
    )
    multiple_scoring: models.CharField[str, str] = models.CharField(
        _("多选/多空计分"),
        max_length=10,
        choices=Scoring.choices,
        default=Scoring.ALL_OR_NOTHING,
    )
    shuffle_options: models.BooleanField[bool, bool] = models.BooleanField(
        _("打乱选项顺序"), default=True
    )
    avoid_recent_attempts: models.PositiveSmallIntegerField[int, int] = (
        models.PositiveSmallIntegerField(_("避开最近几次答过的题"), default=3)
    )
    once_per_day: models.BooleanField[bool, bool] = models.BooleanField(
        _("每人每天限一次"), default=False
    )
    fixed_questions: models.ManyToManyField[Question, Any] = models.ManyToManyField(
        Question,
        blank=True,
        related_name="fixed_in_templates",
        verbose_name=_("固定试题"),
        help_text=_("选择固定试题时按所选顺序组卷，不再随机抽题"),
    )
    fixed_points: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("固定试题每题分值"), max_digits=5, decimal_places=1, default=2
    )
    is_active: models.BooleanField[bool, bool] = models.BooleanField(
        _("启用"), default=True
    )

    objects = PaperTemplateQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldPanel("mode"),
                FieldPanel("owner"),
                FieldPanel("description"),
                FieldPanel("is_active"),
            ],
            heading=_("基本信息"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("time_limit_seconds"),
                FieldPanel("multiple_scoring"),
                FieldPanel("shuffle_options"),
                FieldPanel("avoid_recent_attempts"),
                FieldPanel("once_per_day"),
            ],
            heading=_("答题规则"),
        ),
        InlinePanel("rules", heading=_("抽题规则"), label=_("规则")),
        FieldPanel("fixed_questions"),
        FieldPanel("fixed_points"),
    ]

    class Meta:
        verbose_name = _("组卷规则")
        verbose_name_plural = _("组卷规则")
        ordering = ["mode", "name"]

    def __str__(self):
        return self.name

    @property
    def is_challenge(self) -> bool:
        return self.mode == Mode.CHALLENGE


class PaperRule(models.Model):
    """Draw ``count`` questions of a type (and category, difficulty) at ``points`` each."""

    template = ParentalKey(
        PaperTemplate, on_delete=models.CASCADE, related_name="rules"
    )
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)
    question_type = models.CharField(
        _("题型"), max_length=10, choices=QuestionType.choices
    )
    category = models.CharField(
        _("分类"), max_length=50, blank=True, help_text=_("留空表示不限")
    )
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), choices=Difficulty.choices, null=True, blank=True
    )
    count = models.PositiveSmallIntegerField(_("题数"), default=5)
    points = models.DecimalField(
        _("每题分值"), max_digits=5, decimal_places=1, default=2
    )

    panels = [
        FieldPanel("question_type"),
        FieldPanel("category"),
        FieldPanel("difficulty"),
        FieldPanel("count"),
        FieldPanel("points"),
    ]

    class Meta:
        verbose_name = _("抽题规则")
        verbose_name_plural = _("抽题规则")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.get_question_type_display()} × {self.count}"


class ContestQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_at(self, moment):
        return self.published().filter(starts_at__lte=moment, ends_at__gt=moment)


class Contest(models.Model):
    """A knowledge contest: a time window, who may take part, and how many tries."""

    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    template = models.ForeignKey(
        PaperTemplate,
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name=_("组卷规则"),
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="quiz_contests",
        verbose_name=_("主办单位"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    eligible: models.ManyToManyField[Organisation, Any] = models.ManyToManyField(
        Organisation,
        related_name="+",
        verbose_name=_("参赛组织"),
        help_text=_("这些组织及其下级组织的成员可以参赛"),
    )
    max_attempts = models.PositiveSmallIntegerField(_("每人可答次数"), default=3)
    is_published = models.BooleanField(_("发布"), default=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识竞赛")
        verbose_name_plural = _("知识竞赛")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.is_published and self.starts_at <= moment < self.ends_at


class AttemptQuerySet(models.QuerySet):
    def finished(self):
        return self.exclude(status=Attempt.Status.IN_PROGRESS)

    def in_progress(self):
        return self.filter(status=Attempt.Status.IN_PROGRESS)

    def for_person(self, person):
        return self.filter(person=person)

    def for_contest(self, contest):
        return self.filter(contest=contest)


class Attempt(models.Model):
    """One person's go at one paper: the questions drawn, answers saved, the result."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("答题中")
        SUBMITTED = "submitted", _("已交卷")
        TIMED_OUT = "timed_out", _("超时交卷")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("答题人"),
    )
    # The person's unit when they started, so standings by unit stay stable
    # when people move later.
    unit = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    template = models.ForeignKey(
        PaperTemplate,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("组卷规则"),
    )
    contest = models.ForeignKey(
        Contest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("竞赛"),
    )
    mode = models.CharField(_("模式"), max_length=10, choices=Mode.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    seed = models.BigIntegerField(_("随机种子"))
    # [{"q": question id, "p": points, "o": [shuffled option indexes]}, ...]
    paper = models.JSONField(_("试卷"), default=list)
    # {"<position>": response}: option indexes as displayed, or blank texts.
    responses = models.JSONField(_("作答"), default=dict, blank=True)
    # After grading: [{"s": score, "c": correct}, ...] by position.
    results = models.JSONField(_("判分"), default=list, blank=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    duration_seconds = models.FloatField(_("用时（秒）"), null=True, blank=True)
    score = models.DecimalField(
        _("得分"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=1)
    correct_count = models.PositiveSmallIntegerField(_("答对题数"), default=0)
    streak = models.PositiveSmallIntegerField(_("连续答对"), default=0)
    # Set only for once-a-day templates; the constraint below makes a second
    # attempt on the same day impossible even under concurrent starts.
    day = models.DateField(_("日期"), null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    # Not fields: what quiz.rows and quiz.actions keep on an attempt they read
    # (the answers as stored, and the paper's questions by id).
    _quiz_stored_responses: Any
    _quiz_questions: dict[int, Question]

    class Meta:
        verbose_name = _("答题记录")
        verbose_name_plural = _("答题记录")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "template", "day"],
                condition=Q(day__isnull=False),
                name="quiz_attempt_once_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["person", "-started_at"], name="quiz_attempt_person"),
            models.Index(
                fields=["person", "template", "-started_at"],
                name="quiz_attempt_recent",
            ),
            models.Index(fields=["template", "status"], name="quiz_attempt_template"),
            models.Index(fields=["contest", "status"], name="quiz_attempt_contest"),
        ]

    def __str__(self):
        return f"{self.person} · {self.template} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.IN_PROGRESS

    @property
    def percent(self) -> float:
        if self.score is None or not self.max_score:
            return 0.0
        return float(self.score) * 100 / float(self.max_score)


class ContestEntry(models.Model):
    """A participant's standing in a contest: the best of their attempts.

    Kept up to date when an attempt is graded, so a leaderboard is one
    indexed ordered read instead of a ranking over every attempt.
    """

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="entries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Finished attempts; unfinished ones do not count for the standing.
    attempts = models.PositiveSmallIntegerField(default=0)
    best_score = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    best_duration = models.FloatField(null=True, blank=True)
    best_at = models.DateTimeField(null=True, blank=True)
    best_attempt = models.ForeignKey(
        Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("竞赛成绩")
        verbose_name_plural = _("竞赛成绩")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "person"], name="quiz_contest_entry_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["contest", "-best_score", "best_duration", "best_at"],
                name="quiz_entry_ranking",
            ),
            models.Index(fields=["contest", "unit"], name="quiz_entry_unit"),
        ]

    def __str__(self):
        return f"{self.contest} · {self.person}"

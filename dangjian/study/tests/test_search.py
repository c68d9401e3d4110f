from dangjian.study.search import search_materials
from dangjian.study.tests.helpers import StudyTestCase


class SearchTestCase(StudyTestCase):
    def setUp(self):
        from dangjian.search import get_index
        from dangjian.study.search import INDEX, feed_all

        get_index(INDEX).rebuild(feed_all())

    def titles(self, person, q):
        _total, results, _suggestion = search_materials(person, q)
        return sorted(r.material.title for r in results)

    def test_members_find_member_material_and_visitors_only_public(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(
            self.titles(self.member, "人民"), ["公开的学习资料", "学习二十大报告"]
        )
        self.assertEqual(self.titles(AnonymousUser(), "人民"), ["公开的学习资料"])

    def test_plan_only_material_is_found_only_by_the_plan_audience(self):
        self.assertEqual(self.titles(self.member, "微党课"), ["微党课"])
        self.assertEqual(self.titles(self.outsider, "微党课"), [])
        total, _results, _ = search_materials(self.outsider, "微党课")
        self.assertEqual(total, 0)

    def test_unpublished_material_leaves_the_index(self):
        self.article.unpublish()
        with self.captureOnCommitCallbacks(execute=True):
            pass
        from dangjian.study.search import index_material

        with self.captureOnCommitCallbacks(execute=True):
            index_material(self.article.pk)
        self.assertEqual(self.titles(self.member, "人民"), ["公开的学习资料"])

    def test_publishing_indexes_the_material(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.make_material(
                "乡村振兴专题", slug="x1", body="<p>全面推进乡村振兴</p>"
            )
        self.assertEqual(self.titles(self.member, "乡村振兴"), ["乡村振兴专题"])

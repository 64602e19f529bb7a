"""ID numbers typed into a clue's free text (issue #9): stored masked, the full number sealed in
ClueLink with its blind index, found by ID, shown in full only to a role that may unmask."""

from datetime import date

from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.urls import reverse

from anju.api.serializers import ClueSerializer
from anju.audit.models import Action, AuditEntry
from anju.audit.services import audit
from anju.households.models import Household
from anju.identity import ids_in_text, mask_id, mask_ids_in
from anju.oversight import services
from anju.oversight.models import Clue, ClueEvent, ClueLink
from anju.portal.services import add_information
from anju.sealed import IdMasking
from tests.base import AnjuTestCase, make_cast, make_regions
from tests.households.files import rid
from tests.oversight.helpers import register

HEAD = rid(21, year=1961)
OTHER = rid(22, year=1962)


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def same_mask_pair() -> tuple[str, str]:
    """Two valid IDs with the same masked form (same area code and last four)."""
    seen = {}
    for year in range(1940, 2000):
        number = rid(31, year=year)
        if mask_id(number) in seen:
            return seen[mask_id(number)], number
        seen[mask_id(number)] = number
    raise AssertionError("no pair")


class TextTests(AnjuTestCase):
    def test_it_finds_and_masks_every_written_form(self):
        text = (
            f"户主{HEAD}，小写{OTHER[:-1]}x，分组 {HEAD[:6]} {HEAD[6:14]} {HEAD[14:]}，"
            "旧号350881610101021，全角３５０８８１１９６１０１０１０２１３，"
            "账号62284804025648900181，区划350881000000"
        )
        masked = mask_ids_in(text)
        self.assertNotIn(HEAD, masked.replace(" ", ""))
        self.assertIn(mask_id(HEAD), masked)
        self.assertIn("350881*****1021", masked)  # the old form masked at its own length
        self.assertIn("62284804025648900181", masked)  # a 20-digit account is not an ID
        self.assertIn("350881000000", masked)
        self.assertLessEqual(len(masked), len(text))
        self.assertEqual(mask_ids_in(masked), masked)
        numbers = ids_in_text(text)
        self.assertEqual(numbers[0], HEAD)
        self.assertIn("350881196101010213", numbers)  # full-width, normalised
        self.assertEqual(len(numbers), len(set(numbers)))


class ClueLinkTests(AnjuTestCase):
    def clue(self, **extra):
        clue, _ = register(self.carol, links=f"户主身份证号{HEAD}，2019年度", **extra)
        return clue

    def test_links_are_stored_masked_and_the_number_sealed_with_the_clue(self):
        clue = self.clue(summary=f"西埔村户主{OTHER}的补助被截留")
        clue.refresh_from_db()
        self.assertEqual(clue.links, f"户主身份证号{mask_id(HEAD)}，2019年度")
        self.assertEqual(clue.summary, f"西埔村户主{mask_id(OTHER)}的补助被截留")
        links = {(link.source, link.id_number) for link in clue.id_links.all()}
        self.assertEqual(links, {("links", HEAD), ("text", OTHER)})
        ((links_text, summary_text),) = raw(
            "SELECT links, summary FROM oversight_clue WHERE id = %s", [clue.pk]
        )
        self.assertNotIn(HEAD, links_text)
        self.assertNotIn(OTHER, summary_text)
        stored = raw("SELECT id_number FROM oversight_cluelink")
        self.assertFalse([b for (b,) in stored if HEAD.encode() in bytes(b)])
        created = AuditEntry.objects.get(action=Action.CREATE, object_id=str(clue.pk))
        self.assertNotIn(OTHER, str(created.changes))

    def test_the_ledger_finds_the_clue_by_a_full_id_and_shows_it_masked(self):
        clue = self.clue()
        register(self.carol, summary="东洋村另一件事，与此无关的摘要文字")
        self.login(self.carol)
        page = self.client.get(reverse("oversight:clues"), {"q": HEAD.lower()})
        self.assertContains(page, clue.number)
        self.assertNotContains(page, "另一件事")
        listing = page.content.decode().split("<table", 1)[1]  # the search box echoes the query
        self.assertNotIn(HEAD, listing)
        page = self.client.get(reverse("oversight:clue", args=[clue.pk]))
        self.assertContains(page, mask_id(HEAD))
        self.assertNotContains(page, HEAD)
        self.assertContains(page, 'data-testid="clue-unmask"')

    def test_a_role_that_may_unmask_sees_the_full_number_audited(self):
        clue = self.clue()
        self.login(self.carol)
        page = self.client.post(reverse("oversight:clue_unmask", args=[clue.pk]))
        self.assertContains(page, HEAD)
        entry = AuditEntry.objects.get(action=Action.UNMASK, object_id=str(clue.pk))
        self.assertEqual(entry.actor_username, "carol")
        self.assertIn(mask_id(HEAD), entry.changes["note"])
        self.assertNotIn(HEAD, str(entry.changes))

    def test_a_role_that_may_not_unmask_sees_the_mask_only(self):
        clue = self.clue()
        self.login(self.cindy)  # the city office sees clues, not full numbers
        page = self.client.get(reverse("oversight:clue", args=[clue.pk]))
        self.assertContains(page, mask_id(HEAD))
        self.assertNotContains(page, HEAD)
        self.assertNotContains(page, 'data-testid="clue-unmask"')
        response = self.client.post(reverse("oversight:clue_unmask", args=[clue.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(HEAD, response.content.decode())

    def test_the_api_shows_the_links_masked(self):
        data = ClueSerializer(self.clue()).data
        self.assertEqual(data["links"], f"户主身份证号{mask_id(HEAD)}，2019年度")

    def test_an_edit_keeps_the_masked_numbers_adds_typed_ones_and_drops_removed_ones(self):
        clue = self.clue()
        form_text = clue.links  # what the edit form shows: masked
        clue = services.clue_update(
            actor=self.carol,
            clue=clue,
            version=clue.version,
            summary=clue.summary,
            funds=clue.funds,
            category=clue.category,
            place=clue.place,
            links=f"{form_text}；配偶{OTHER}",
        )
        numbers = set(clue.id_links.filter(source="links").values_list("id_number", flat=True))
        self.assertEqual(numbers, {HEAD, OTHER})
        update = AuditEntry.objects.filter(action=Action.UPDATE, object_id=str(clue.pk)).last()
        self.assertNotIn(OTHER, str(update.changes))
        self.assertIn(mask_id(OTHER), update.changes["after"]["links"])
        clue = services.clue_update(
            actor=self.carol,
            clue=clue,
            version=clue.version,
            summary=clue.summary,
            funds=clue.funds,
            category=clue.category,
            place=clue.place,
            links="2019年度",
        )
        self.assertFalse(clue.id_links.filter(source="links").exists())

    def test_the_same_links_are_a_duplicate_and_a_different_id_with_the_same_mask_is_not(self):
        first, second = same_mask_pair()
        clue, _ = register(self.carol, summary="甲村道路硬化工程款未按时拨付", links=first)
        _, duplicates = register(
            self.carol, summary="乙镇卫生院医生收红包", names=("李四",), links=first, confirm=False
        )
        self.assertEqual([(c.pk, m.same_link) for c, m in duplicates], [(clue.pk, True)])
        _, duplicates = register(
            self.carol, summary="乙镇卫生院医生收红包", names=("李四",), links=second, confirm=False
        )
        self.assertEqual(duplicates, [])

    def test_a_merged_duplicate_brings_its_numbers(self):
        into = self.clue()
        duplicate, _ = register(self.carol, summary=f"东洋村{OTHER}的房子没修", names=("王五",))
        services.clue_merge(actor=self.carol, duplicate=duplicate, into=into, version=1)
        self.assertEqual(set(into.id_links.values_list("id_number", flat=True)), {HEAD, OTHER})

    def test_a_reporter_addition_is_sealed_with_the_clue(self):
        from anju.portal.models import PublicReport

        clue = self.clue()
        report = PublicReport.objects.create(
            code_hash="x" * 64, clue=clue, region=clue.region, kind="funds", description="d"
        )
        addition = add_information(report, f"补充：户主是{OTHER}")
        self.assertEqual(addition.text, f"补充：户主是{mask_id(OTHER)}")
        self.assertIn(OTHER, clue.id_links.values_list("id_number", flat=True))
        notes = ClueEvent.objects.filter(clue=clue).values_list("note", flat=True)
        self.assertFalse([n for n in notes if OTHER in n])

    def test_free_text_is_masked_on_every_write_path(self):
        clue = self.clue()
        Clue.objects.filter(pk=clue.pk).update(rectification=f"已追回{OTHER}的补助")
        ((text,),) = raw("SELECT rectification FROM oversight_clue WHERE id = %s", [clue.pk])
        self.assertEqual(text, f"已追回{mask_id(OTHER)}的补助")
        event = ClueEvent.objects.create(clue=clue, actor=self.carol, on=date.today(), note=OTHER)
        self.assertEqual(event.note, mask_id(OTHER))  # on the instance too

    def test_the_audit_log_masks_ids_whatever_a_service_hands_it(self):
        audit(
            actor=self.carol,
            action=Action.UPDATE,
            obj=self.carol,
            note=f"误记{HEAD}",
            after={"x": [f"又{OTHER}"]},
        )
        entry = AuditEntry.objects.order_by("-seq").first()
        self.assertEqual(entry.changes["note"], f"误记{mask_id(HEAD)}")
        self.assertEqual(entry.changes["after"], {"x": [f"又{mask_id(OTHER)}"]})

    def test_spot_checks_weight_the_households_clues_name(self):
        from anju.spotchecks import services as spot
        from tests.spotchecks.test_plans import make_households

        households = make_households(5, 0)
        named = Household.objects.get(pk=households[0].pk)
        register(self.carol, links=named.head_id)
        plan = spot.plan_create(
            actor=self.carol,
            region=self.regions["350881000000"],
            name="县级抽查",
            population="renovated",
            share_percent=20,
            seed="s",
            weight_clues=5,
        )
        weights = {u.key: u.weight for u in spot.population_units(plan)}
        self.assertEqual(weights[named.head_id_digest], 6)
        self.assertEqual(sorted(weights.values()), [1, 1, 1, 1, 6])


class DeclaredFieldsTests(AnjuTestCase):
    def test_the_migration_masks_exactly_the_masked_fields_of_the_models(self):
        from importlib import import_module

        migration = import_module("anju.oversight.migrations.0004_mask_ids_in_free_text")
        listed = {(a, m.lower(), c) for a, m, columns in migration.MASKED for c in columns}
        declared = {
            (model._meta.app_label, model._meta.model_name, f.name)
            for model in apps.get_models()
            for f in model._meta.concrete_fields
            if isinstance(f, IdMasking)
        }
        # Tables created after this migration never held numbers in clear.
        later = {
            ("households", "renovationcase", "note"),
            ("households", "inforeview", "note"),
            ("oversight", "rectificationitem", "done_note"),
            ("oversight", "rectificationitem", "review_note"),
        }
        self.assertEqual(listed, declared - later)


class MigrationTests(TransactionTestCase):
    """`oversight 0004` on rows written in clear before this version."""

    def migrate(self, target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])

    def tearDown(self):
        # Back to every app's latest migration: migrating one app back unapplies the later
        # migrations of other apps that depend on it, and the next tests need them all.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def test_it_seals_the_numbers_and_masks_the_text(self):
        make_regions()
        cast = make_cast()
        clue, _ = register(cast["carol"], links="2019年度")
        household = Household.objects.create(region_id="350881100203", head_name="甲", head_id=HEAD)
        visit = household.visits.create(visited_on=date(2026, 10, 1), visitor=cast["alice"])
        self.migrate(("oversight", "0003_clue_links"))
        # As an older version wrote them: in clear.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE oversight_clue SET links = %s, summary = %s, rectification = %s"
                " WHERE id = %s",
                [f"户主{HEAD}", f"反映{OTHER}问题", f"整改{OTHER}", clue.pk],
            )
            cursor.execute(
                "UPDATE households_followupvisit SET note = %s WHERE id = %s",
                [f"户主{HEAD}不在家", visit.pk],
            )
        self.migrate(("oversight", "0004_mask_ids_in_free_text"))
        ((links, summary, rectification),) = raw(
            "SELECT links, summary, rectification FROM oversight_clue WHERE id = %s", [clue.pk]
        )
        self.assertEqual(links, f"户主{mask_id(HEAD)}")
        self.assertEqual(summary, f"反映{mask_id(OTHER)}问题")
        self.assertEqual(rectification, f"整改{mask_id(OTHER)}")
        ((note,),) = raw("SELECT note FROM households_followupvisit WHERE id = %s", [visit.pk])
        self.assertEqual(note, f"户主{mask_id(HEAD)}不在家")
        found = {(link.source, link.id_number) for link in ClueLink.objects.filter(clue=clue)}
        self.assertEqual(found, {("links", HEAD), ("text", OTHER)})
        self.assertEqual(
            list(
                Clue.objects.filter(
                    id_links__id_number_digest=ClueLink.objects.get(source="links").id_number_digest
                )
            ),
            [clue],
        )

"""One grant's whole life through the screens, from nothing but the people who work with the fund and its public pages:
the administrator creates the fund in the admin and finance records the gift that funds it;
staff create a round with a form, rubric and reporting plan; an applicant applies; staff screen and assign; two
reviewers declare and score; staff decide, prepare and send the offer; the applicant accepts and gives bank details;
finance pays tranche 1 with four eyes; the grantee submits report 1 and staff approve it; tranche 2 is released and
paid; the final report is approved; the award is Closed; the public directory and impact page show it. The emails each
step sends are checked as it goes.

Each person works in their own browser context and signs in once (allauth refuses a TOTP code used twice)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fund.models import Fund
from grants.awards.models import Award, BankDetails
from portal import roles

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def world(transactional_db, mfa_user_factory):
    """The people who work with the fund, its public home, directory and impact pages, and the metric catalogue. No
    fund and no money: the administrator creates the fund in the admin and finance records the gift that funds it."""
    from allauth.account.models import EmailAddress

    from cms.models import GrantsDirectoryPage, ImpactPage
    from grants.impact.catalogue import seed_metrics
    from grants.impact.models import Metric
    from tests.factories.cms import add_page, make_home
    from tests.factories.portal import UserFactory

    seed_metrics(Metric)
    home = make_home()
    add_page(home, GrantsDirectoryPage, title="Who we fund", slug="grants")
    add_page(home, ImpactPage, title="Our impact", slug="impact")
    applicant = UserFactory(email="rosa@northside.example", first_name="Rosa", last_name="Delgado")
    EmailAddress.objects.create(user=applicant, email=applicant.email, verified=True, primary=True)
    return {
        "admin": mfa_user_factory(first_name="Alex", last_name="Morgan", is_superuser=True, is_staff=True),
        "staff": mfa_user_factory(roles.PROGRAM_STAFF, first_name="Priya", last_name="Natarajan"),
        "reviewer_1": mfa_user_factory(roles.REVIEWER, first_name="Tasha", last_name="Greene"),
        "reviewer_2": mfa_user_factory(roles.REVIEWER, first_name="Helen", last_name="Osei"),
        "finance_1": mfa_user_factory(roles.FINANCE, first_name="Marcus", last_name="Bell"),
        "finance_2": mfa_user_factory(roles.FINANCE, first_name="Dana", last_name="Kowalski"),
        "applicant": applicant,
    }


@pytest.fixture
def person(browser, live_server, e2e_login):
    contexts = []

    def open_as(user, next_url=""):
        context = browser.new_context(
            viewport={"width": 1280, "height": 1000}, locale="en-US", timezone_id="America/New_York"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        e2e_login(page, user, password=PASSWORD, next_url=next_url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def sent(to, subject_part):
    """The emails to `to` whose subject contains `subject_part` (and empty the outbox of them)."""
    found = [m for m in mail.outbox if to in m.to and subject_part in m.subject]
    for message in found:
        mail.outbox.remove(message)
    return found


def go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state()


def submit(page, name, exact=True):
    page.get_by_role("button", name=name, exact=exact).click()
    page.wait_for_load_state()


def reauthenticate(page):
    """allauth asks for the password again before money or bank details change."""
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def test_one_grant_from_round_to_closed_award(world, person, axe_violations):
    from grants.impact.models import ImpactReport
    from grants.models import Application, FundingRound
    from grants.review.models import PanelMember

    staff_user, applicant = world["staff"], world["applicant"]
    today = timezone.localdate()

    # --- The administrator creates the fund; finance records the $200,000 gift that funds it. ----------------------
    alex = person(world["admin"], next_url="/admin/")
    go(alex, "/admin/funds/new/")
    alex.locator("#id_name").fill("Millbrook Community Resilience Fund")
    alex.locator("#id_slug").fill("millbrook")
    alex.locator("#id_currency").select_option("USD")
    alex.get_by_label("Default fund for general gifts").check()
    alex.get_by_label("Legal name").fill("Millbrook Community Foundation, Inc.")
    alex.get_by_label("Charity / tax registration number").fill("EIN 12-3456789")
    alex.get_by_label("Signatory name").fill("Jamie Ortiz")
    alex.get_by_label("Payment originator name").fill("MILLBROOK COMM FDN")
    alex.get_by_label("Payment originator id").fill("1123456789")
    alex.get_by_label("Originating bank routing number").fill("031000503")
    alex.get_by_role("button", name="Create").first.click()
    alex.wait_for_load_state()
    fund = Fund.objects.get(slug="millbrook")
    assert fund.is_default and fund.currency == "USD"
    marcus = person(world["finance_1"], next_url="/admin/")
    go(marcus, "/admin/donations/offline/")
    marcus.get_by_label("Or new donor: name").fill("The Millbrook Community Foundation")
    marcus.get_by_label("New donor: email").fill("grants@millbrook-foundation.example")
    marcus.locator("#id_fund").select_option(str(fund.pk))
    marcus.locator("#id_method").select_option("bank_transfer")
    marcus.locator("#id_amount").fill("200000.00")
    submit(marcus, "Save")
    assert marcus.get_by_text("recorded; the receipt is on its way").count() == 1
    assert sent("grants@millbrook-foundation.example", "")  # the donor's receipt

    # --- Staff create the round: form, reporting plan (two half-yearly reports) and its metric. ---------------------
    staff = person(staff_user, next_url="/admin/")
    assert staff.get_by_text("What needs you").count() == 1
    assert staff.get_by_text("No application is waiting to be screened.").count() == 1
    go(staff, "/admin/funding_rounds/new/")
    staff.locator("#id_fund").select_option(str(fund.pk))
    staff.locator("#id_title").fill("2026 Community-Led Response Grants")
    staff.locator("#id_slug").fill("community-2026")
    staff.locator("#id_budget").fill("100000")
    staff.locator("#id_max_request").fill("30000")
    staff.locator("#id_opens_at").fill((timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
    staff.locator("#id_closes_at").fill((timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%d %H:%M"))
    staff.locator("#id_status").select_option("open")
    staff.locator("#id_reviews_per_application").fill("2")
    staff.locator("#id_report_every_months").select_option("6")
    staff.locator("#id_report_due_days").fill("14")
    staff.locator("#id_grant_months").fill("12")
    staff.locator("#id_form_questions-ADD").click()
    staff.locator("#id_form_questions-0-kind").select_option("long_text")
    staff.locator("#id_form_questions-0-label").fill("What will you do with the grant?")
    staff.locator("#id_impact_metrics-ADD").click()
    staff.locator("#id_impact_metrics-0-metric").select_option(label="People reached")
    staff.get_by_role("button", name="Create").first.click()
    staff.wait_for_load_state()
    funding_round = FundingRound.objects.get(slug="community-2026")
    assert (funding_round.report_every_months, funding_round.report_due_days) == (6, 14)
    assert funding_round.form_versions.count() == 1 and funding_round.impact_metrics.count() == 1

    # The rubric, then the panel with two reviewers (each emailed).
    go(staff, "/admin/review_rubrics/new/")
    staff.locator("#id_round").select_option(str(funding_round.pk))
    staff.locator("#id_title").fill("Scoring guide")
    staff.locator("#id_criteria-0-title").fill("Community need")
    staff.get_by_role("button", name="Create").first.click()
    staff.wait_for_load_state()
    assert funding_round.rubric.criteria.count() == 1
    go(staff, f"/admin/review/rounds/{funding_round.pk}/panel/")
    submit(staff, "Save settings")
    for key, kind in (("reviewer_1", "community"), ("reviewer_2", "external")):
        staff.get_by_label("Email address").fill(world[key].email)
        staff.get_by_label("Kind of member").select_option(kind)
        submit(staff, "Add and invite")
        assert len(sent(world[key].email, "")) == 1

    # --- The applicant registers the organisation and applies. -----------------------------------------------------
    rosa = person(applicant)
    go(rosa, "/organisations/new/")
    rosa.get_by_label("Legal name").fill("Northside Peer Support Collective")
    rosa.locator("#id_org_type").select_option("nonprofit_corporation")
    rosa.get_by_label("Registration number").fill("12-3456789")
    submit(rosa, "Register organisation")
    go(rosa, "/apply/community-2026/start/")
    submit(rosa, "Start or continue the application")
    rosa.get_by_label("Project title").fill("Evening peer drop-in")
    rosa.get_by_label("Project summary").fill("Three evenings a week with naloxone and peer support.")
    rosa.get_by_label("Amount requested").fill("20000")
    submit(rosa, "Save and continue")
    rosa.get_by_label("What will you do with the grant?").fill("Open three evenings a week with two peer workers.")
    submit(rosa, "Save and check answers")
    rosa.wait_for_url(re.compile(r"/submit/$"))
    submit(rosa, "Submit application")
    application = Application.objects.get(round=funding_round)
    assert application.status == "submitted"
    assert len(sent(applicant.email, "")) == 1  # the confirmation

    # --- Staff screen, move it to review and assign both reviewers. -------------------------------------------------
    go(staff, "/admin/")
    staff.get_by_role("link", name=re.compile("Applications to screen")).click()
    staff.wait_for_load_state()
    staff.get_by_role("link", name=re.compile(application.reference)).first.click()
    staff.wait_for_load_state()
    submit(staff, "Move to review")
    application.refresh_from_db()
    assert application.status == "in_review"
    assert len(sent(applicant.email, "")) == 1
    go(staff, f"/admin/review/rounds/{funding_round.pk}/assignments/")
    for key in ("reviewer_1", "reviewer_2"):
        staff.get_by_label("Application").select_option(str(application.pk))
        member = PanelMember.objects.get(panel__round=funding_round, user=world[key])
        staff.get_by_label("Reviewer").select_option(str(member.pk))
        submit(staff, "Assign")
    assert application.review_assignments.count() == 2

    # --- Two reviewers declare no conflict and score. ----------------------------------------------------------------
    for key, score in (("reviewer_1", "5"), ("reviewer_2", "4")):
        reviewer = person(world[key], next_url="/reviews/")
        reviewer.get_by_role("link", name=re.compile(application.reference)).click()
        reviewer.get_by_label("No, I have no conflict of interest").check()
        submit(reviewer, "Continue")
        reviewer.locator(f"input[type=radio][name^=score_][value='{score}']").check()
        reviewer.get_by_label("Fund", exact=True).check()
        submit(reviewer, "Submit review")
        assert reviewer.get_by_text("Your review is submitted").count() == 1

    # --- Staff decide (a confirmation page first), then prepare and send the offer. --------------------------------
    go(staff, "/admin/")
    assert staff.locator('[data-work-item="decide"] .work-queue__count').inner_text() == "1"
    go(staff, f"/admin/review/applications/{application.pk}/")
    staff.get_by_role("radio", name="Approve").check()
    staff.get_by_label("Amount to award").fill("20000")
    submit(staff, "Continue: check the decision")
    assert staff.get_by_text("$20,000.00 of the fund's money is committed now").count() == 1
    assert staff.get_by_text("Not every assigned review is in").count() == 0
    submit(staff, "Record the decision")
    award = Award.objects.get(application=application)
    assert award.status == Award.Status.PREPARED
    (decision_email,) = sent(applicant.email, "Decision on your application")
    assert decision_email.attachments and not sent(applicant.email, "grant offer")
    assert staff.get_by_text("The offer is prepared and its money committed").count() == 1
    # The proposed schedule: half on acceptance, half when report 1 is approved; two reports from the plan.
    assert staff.get_by_text("On approval of report 1").count() == 1
    assert staff.get_by_role("link", name="Change report 2").count() == 1
    staff.get_by_role("link", name="Send the offer").click()
    staff.wait_for_load_state()
    assert staff.get_by_text("can accept or decline online until").count() == 1
    submit(staff, "Send the offer")
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    (offer,) = sent(applicant.email, "Your grant offer")
    assert f"/awards/{award.pk}/" in offer.body and offer.attachments

    # --- The applicant sees the decision, accepts the offer and gives bank details. -------------------------------
    go(rosa, f"/applications/{application.pk}/")
    assert rosa.get_by_text("Approved: a grant of $20,000.00").count() == 1
    with rosa.expect_download() as letter:
        rosa.get_by_role("link", name="Download the decision letter (PDF)").click()
    with open(letter.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    go(rosa, f"/awards/{award.pk}/")
    assert axe_violations(rosa) == []
    rosa.get_by_label("Type your full name to sign").fill("Rosa Delgado")
    rosa.get_by_label(re.compile("I have read the grant agreement")).check()
    submit(rosa, "Sign and accept")
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert len(sent(applicant.email, "")) == 1  # accepted, with the reporting schedule link
    reports = list(ImpactReport.objects.filter(award=award).order_by("number"))
    assert [(r.number, r.final) for r in reports] == [(1, False), (2, True)]
    assert reports[0].period_start == today
    assert rosa.get_by_text("Report 1 to be approved.").count() == 1  # what tranche 2 waits for
    go(rosa, f"/awards/bank-details/{award.organisation.slug}/change/")
    reauthenticate(rosa)
    rosa.get_by_label("Name on the account").fill("Northside Peer Support Collective")
    rosa.get_by_label("Country of the bank").select_option("US")
    rosa.get_by_label("Routing number (United States, 9 digits)").fill("011000015")
    rosa.get_by_label("Account number").fill("000123456789")
    submit(rosa, "Save bank details", exact=False)
    assert BankDetails.objects.filter(organisation=award.organisation).exists()
    sent(applicant.email, "")  # bank details changed

    # --- Finance pays tranche 1 with four eyes. ----------------------------------------------------------------------
    dana = person(world["finance_2"], next_url="/admin/")

    def pay(tranche_number):
        go(marcus, f"/admin/money/awards/{award.pk}/")
        marcus.get_by_role("button", name="Prepare payment").click()
        marcus.wait_for_load_state()
        (announce,) = sent(world["finance_2"].email, "awaits your approval")
        assert f"payment {tranche_number} of $10,000.00" in announce.body
        go(dana, "/admin/")
        dana.get_by_role("link", name=re.compile("Payments awaiting my approval")).click()
        dana.wait_for_load_state()
        dana.get_by_role("link", name="Review and approve").first.click()
        dana.wait_for_load_state()
        reauthenticate(dana)
        submit(dana, "Approve this payment")
        go(marcus, "/admin/money/batches/")
        submit(marcus, "Put approved payments in a new batch")
        # Four eyes again: Marcus exported the payment file, so Dana confirms the bank paid it.
        go(dana, marcus.url.removeprefix(marcus.base_url))
        submit(dana, "The bank has paid this batch")
        assert dana.get_by_text("posted to the ledger as paid").count() == 1
        submit(dana, "Mark the batch paid")
        (paid,) = sent(applicant.email, "Payment sent")
        assert "$10,000.00" in paid.body

    pay(1)

    # --- Report 1: the grantee submits, staff approve, tranche 2 is released and paid. -----------------------------
    def report(number):
        go(rosa, f"/impact-reports/{reports[number - 1].pk}/")
        rosa.get_by_label(re.compile("People reached")).first.fill(str(100 * number))
        submit(rosa, "Submit report")
        (to_staff,) = [m for m in mail.outbox if "impact report" in m.subject.lower() and "submitted" in m.body]
        mail.outbox.remove(to_staff)
        go(staff, "/admin/")
        staff.get_by_role("link", name=re.compile("Impact reports to review")).click()
        staff.wait_for_load_state()
        go(staff, f"/admin/impact/reports/{reports[number - 1].pk}/")
        staff.get_by_role("radio", name="Approve").check()
        submit(staff, "Record decision")
        return sent(applicant.email, "")

    (approved_1,) = report(1)
    assert "Payment 2 ($10,000.00) is now released" in approved_1.body
    go(marcus, f"/admin/money/awards/{award.pk}/")
    assert marcus.get_by_text("Nothing: ready to pay.").count() == 1
    pay(2)
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED  # Active: the final report is still due

    # --- The final report is approved: the award is Closed. --------------------------------------------------------
    emails = report(2)
    assert any("is now closed" in m.body for m in emails)
    award.refresh_from_db()
    assert (award.status, award.get_status_display()) == (Award.Status.CLOSED, "Closed")
    go(staff, f"/admin/money/awards/{award.pk}/")
    assert staff.get_by_text("Closed", exact=True).count() >= 1

    # --- The public directory and the impact page show it. ---------------------------------------------------------
    public = rosa.context.browser.new_page()
    public.goto(rosa.base_url + "/grants/")
    assert public.get_by_text("Evening peer drop-in").count() >= 1
    public.goto(rosa.base_url + "/impact/")
    impact = public.locator("main").inner_text()
    assert "People reached" in impact and "300" in impact  # 100 + 200 from the two approved reports
    assert "$20,000" in impact
    public.close()

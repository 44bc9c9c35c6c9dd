"""Panels and their members: create and configure a panel, invite, chair, remove."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import roles
from portal.audit import audit
from portal.emails import send_email_on_commit

from . import notifications
from .assignment import assignments_auto_assign
from .errors import ReviewError
from .models import Assignment, Panel, PanelMember, Review
from .permissions import require_staff

# --- panels -----------------------------------------------------------------------------------------------------------


def panel_create(*, round, by, name="", blind_review=False, reviewers_see_others_after_submit=False) -> Panel:
    require_staff(by)
    panel, created = Panel.objects.get_or_create(
        round=round,
        defaults={
            "name": name or _("%(round)s panel") % {"round": round.title},
            "blind_review": blind_review,
            "reviewers_see_others_after_submit": reviewers_see_others_after_submit,
        },
    )
    if created:
        audit(panel, "review.panel.create", user=by, data={"round": round.pk})
    return panel


PANEL_SETTINGS = ("name", "blind_review", "reviewers_see_others_after_submit", "disagreement_threshold")


def panel_update(*, panel, by, **changes) -> Panel:
    """Change a panel's settings (name, blind review, sharing after submission, disagreement threshold)."""
    require_staff(by)
    unknown = set(changes) - set(PANEL_SETTINGS)
    if unknown:
        raise ValueError(f"Not panel settings: {sorted(unknown)}")
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        before = {field: getattr(locked, field) for field in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=list(changes))
        audit(locked, "review.panel.update", user=by, data={k: str(v) for k, v in changes.items() if before[k] != v})
    return locked


def _invitation_link(user):
    """A set-password link through allauth's password-reset flow (valid until the password changes)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return notifications.absolute_url(path)


def panel_member_invite(*, panel, email, kind, by, first_name="", last_name="", is_chair=False) -> PanelMember:
    """Add a person to a panel by email. Someone new gets an account without a password, a verified address,
    the Reviewer role and an invitation with a link to choose a password; they then set up two-factor authentication."""
    from allauth.account.models import EmailAddress

    require_staff(by)
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if kind not in PanelMember.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of member.")})
    User = get_user_model()
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        user = User.objects.filter(email__iexact=email).first()
        is_new = user is None
        if is_new:
            user = User(email=email, first_name=first_name, last_name=last_name)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        member = PanelMember.objects.filter(panel=panel, user=user).first()
        if member is not None and member.is_active:
            raise ValidationError({"email": _("This person is already on the panel.")})
        if is_chair:
            PanelMember.objects.filter(panel=panel, is_chair=True).update(is_chair=False)
        user.groups.add(Group.objects.get(name=roles.REVIEWER))
        rejoined = member is not None
        if rejoined:  # someone removed earlier comes back: same record, so their past reviews stay theirs
            member.kind, member.is_chair, member.invited_by = kind, is_chair, by
            member.removed_at = member.removed_by = None
            member.save(update_fields=["kind", "is_chair", "invited_by", "removed_at", "removed_by"])
        else:
            member = PanelMember.objects.create(panel=panel, user=user, kind=kind, is_chair=is_chair, invited_by=by)
        audit(
            panel,
            "review.panel.member_add",
            user=by,
            data={"member": member.pk, "user": user.pk, "kind": kind, "new_user": is_new, "rejoined": rejoined},
        )
        context = {
            "panel": panel,
            "round": panel.round,
            "member": member,
            "name": user.display_name,
            "is_new": is_new,
            "link": _invitation_link(user) if is_new else notifications.absolute_url(reverse("review:my_reviews")),
        }
        send_email_on_commit(template="review/panel_invitation", to=[email], context=context)
    return member


def panel_member_set_chair(*, member, by) -> PanelMember:
    require_staff(by)
    if not member.is_active:
        raise ReviewError(_("A removed member cannot chair the panel."))
    with transaction.atomic():
        list(PanelMember.objects.select_for_update().filter(panel_id=member.panel_id).values_list("pk", flat=True))
        PanelMember.objects.filter(panel_id=member.panel_id, is_chair=True).exclude(pk=member.pk).update(is_chair=False)
        PanelMember.objects.filter(pk=member.pk).update(is_chair=True)
        audit(member.panel, "review.panel.chair", user=by, data={"member": member.pk})
    member.is_chair = True
    return member


def panel_member_remove(*, member, by) -> dict:
    """Take a member off a panel. Their unsubmitted assignments are released (drafts discarded) and refilled by the
    assignment rules; their submitted reviews stay and still count; recusals stay in the register. The member record
    is kept (marked removed) so that their reviews keep their author. Returns what happened, for the message."""
    require_staff(by)
    with transaction.atomic():
        Panel.objects.select_for_update().get(pk=member.panel_id)
        locked = PanelMember.objects.select_related("panel__round", "user").get(pk=member.pk)
        if not locked.is_active:
            raise ReviewError(_("This member has already been removed from the panel."))
        open_assignments = list(
            Assignment.objects.filter(member=locked, status=Assignment.Status.ASSIGNED)
            .select_related("application")
            .order_by("application__reference", "pk")
        )
        submitted = Review.objects.filter(member=locked, status=Review.Status.SUBMITTED).count()
        released = [a.application for a in open_assignments]
        Assignment.objects.filter(pk__in=[a.pk for a in open_assignments]).delete()
        locked.removed_at = timezone.now()
        locked.removed_by = by
        locked.is_chair = False
        locked.save(update_fields=["removed_at", "removed_by", "is_chair"])
        audit(
            locked.panel,
            "review.panel.member_remove",
            user=by,
            data={
                "member": locked.pk,
                "user": locked.user_id,
                "released": [a.pk for a in released],
                "submitted_reviews": submitted,
            },
        )
        in_review = [a for a in released if a.status == a.Status.IN_REVIEW]
        refilled = assignments_auto_assign(round=locked.panel.round, by=by, applications=in_review) if in_review else []
        notifications.notify_member_removed(
            member=locked, released=[a.reference or "" for a in released], submitted=submitted
        )
    member.removed_at = locked.removed_at
    return {"released": released, "refilled": refilled, "submitted": submitted}

"""Every kind of audit event, in one registry: its code (stored in
`Event.action`), a sentence people read on staff pages (Romanian and
English, through gettext) and whether events of this kind are public (shown
on a proposal's public timeline) by default.

Services record an event with a constant from here, never a free string:

    event_record(actor=actor, action=events.CALL_UPDATED, obj=call, ...)

and selectors that look for a kind match the same constant. A new kind is
one `kind(...)` line below (`tests/ciic/test_audit_events.py` fails for a
kind used in the code that is not registered here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventKind:
    code: str
    sentence: Promise  # may use %(actor)s and %(object)s
    public: bool


REGISTRY: dict[str, EventKind] = {}


def kind(code: str, sentence: Promise, *, public: bool = False) -> str:
    """Register a kind of event; returns its code (the constant's value)."""
    if code in REGISTRY:
        raise ValueError(f"audit event kind registered twice: {code}")
    REGISTRY[code] = EventKind(code, sentence, public)
    return code


# --- accounts -------------------------------------------------------------------------
ACCOUNTS_ROLES_CHANGED = kind(
    "accounts.roles_changed", _("%(actor)s changed the roles of %(object)s.")
)

# --- eligibility ------------------------------------------------------------------------
ELIGIBILITY_PROFILE_CREATED = kind(
    "eligibility.profile_created", _("%(actor)s created the profile %(object)s.")
)
ELIGIBILITY_PROFILE_UPDATED = kind(
    "eligibility.profile_updated", _("%(actor)s changed the profile %(object)s.")
)
ELIGIBILITY_RESIDENCE_CHANGED = kind(
    "eligibility.residence_changed",
    _("%(actor)s changed the zone of residence of %(object)s."),
)
ELIGIBILITY_IDENTITY_CONFLICT_RECORDED = kind(
    "eligibility.identity_conflict_recorded",
    _("%(actor)s tried to verify a person already verified on another account (%(object)s)."),
)
ELIGIBILITY_IDENTITY_CONFLICT_RESOLVED = kind(
    "eligibility.identity_conflict_resolved",
    _("%(actor)s resolved the identity conflict %(object)s."),
)
ELIGIBILITY_VERIFICATION_CREATED = kind(
    "eligibility.verification_created", _("%(actor)s verified %(object)s.")
)
ELIGIBILITY_VERIFICATION_SUPERSEDED = kind(
    "eligibility.verification_superseded",
    _("%(actor)s replaced the verification %(object)s with a new one."),
)
ELIGIBILITY_VERIFICATION_REVOKED = kind(
    "eligibility.verification_revoked", _("%(actor)s revoked the verification %(object)s.")
)
ELIGIBILITY_VERIFICATION_EXPIRED = kind(
    "eligibility.verification_expired", _("The verification %(object)s expired.")
)
ELIGIBILITY_REGISTER_MATCH_FAILED = kind(
    "eligibility.register_match_failed",
    _("A check of %(object)s against the residents' register found no match."),
)
ELIGIBILITY_REGISTER_IMPORTED = kind(
    "eligibility.register_imported", _("%(actor)s imported the residents' register.")
)

# --- geo --------------------------------------------------------------------------------
GEO_AREAS_IMPORTED = kind(
    "geo.areas_imported", _("%(actor)s replaced the areas (sector or planning zones).")
)
GEO_GAZETTEER_IMPORTED = kind(
    "geo.gazetteer_imported", _("%(actor)s imported streets and places into the gazetteer.")
)
GEO_GAZETTEER_RESET = kind(
    "geo.gazetteer_reset", _("%(actor)s reset the gazetteer to the built-in streets and places.")
)

# --- calls and proposals ------------------------------------------------------------------
CALL_CREATED = kind("call.created", _("%(actor)s created the call %(object)s."))
CALL_UPDATED = kind("call.updated", _("%(actor)s changed the call %(object)s."))
CALL_ENGLISH_UPDATED = kind(
    "call.english_updated", _("%(actor)s changed the English texts of the call %(object)s.")
)
PROPOSAL_DRAFT_CREATED = kind(
    "proposal.draft_created", _("%(actor)s started the draft %(object)s.")
)
PROPOSAL_DRAFT_DELETED = kind(
    "proposal.draft_deleted", _("%(actor)s deleted the draft %(object)s.")
)
PROPOSAL_EDITED = kind(
    "proposal.edited", _("The author edited the proposal %(object)s."), public=True
)
PROPOSAL_IMAGE_ADDED = kind(
    "proposal.image_added", _("The author added an image to %(object)s."), public=True
)
PROPOSAL_ATTACHMENT_ADDED = kind(
    "proposal.attachment_added", _("The author added a document to %(object)s."), public=True
)
PROPOSAL_FILE_REMOVED = kind(
    "proposal.file_removed", _("The author removed a file from %(object)s."), public=True
)
PROPOSAL_STATUS_CHANGED = kind(
    "proposal.status_changed",
    _("%(actor)s changed the status of the proposal %(object)s."),
    public=True,
)


# --- accounts: deletion -------------------------------------------------------------------
# No personal data: the object is the deleted account's number only.
ACCOUNT_DELETED = kind("account.deleted", _("An account was deleted at its owner's request."))

# --- the council's assessment (proposals.assessment) ----------------------------------------
ASSESSMENT_SETTINGS_CHANGED = kind(
    "assessment.settings_changed", _("%(actor)s changed the assessment settings of %(object)s.")
)
ASSESSMENT_ASSIGNED = kind(
    "assessment.assigned", _("%(actor)s assigned the assessment of %(object)s.")
)
ASSESSMENT_RECORDED = kind(
    "assessment.recorded", _("%(actor)s recorded assessment findings for %(object)s.")
)
ASSESSMENT_MESSAGE_POSTED = kind(
    "assessment.message_posted", _("%(actor)s wrote in the thread of %(object)s.")
)
ASSESSMENT_CHANGES_REQUESTED = kind(
    "assessment.changes_requested", _("%(actor)s asked the author of %(object)s for changes.")
)
ASSESSMENT_DECISION_PROPOSED = kind(
    "assessment.decision_proposed",
    _("%(actor)s proposed a decision on %(object)s (awaiting a second assessor)."),
)
ASSESSMENT_DECISION_RETURNED = kind(
    "assessment.decision_returned",
    _("%(actor)s returned the proposed decision on %(object)s for another look."),
)
ASSESSMENT_DECISION_IN_EFFECT = kind(
    "assessment.decision_in_effect",
    _("The council's decision on %(object)s took effect."),
    public=True,
)
ASSESSMENT_MERGED_INTO = kind(
    "assessment.merged_into", _("%(object)s was merged into another proposal."), public=True
)
ASSESSMENT_MERGED_FROM = kind(
    "assessment.merged_from", _("Another proposal was merged into %(object)s."), public=True
)
ASSESSMENT_APPEAL_LODGED = kind(
    "assessment.appeal_lodged", _("The author appealed the decision on %(object)s."), public=True
)
ASSESSMENT_APPEAL_DECIDED = kind(
    "assessment.appeal_decided", _("The appeal on %(object)s was decided."), public=True
)

# --- voting ------------------------------------------------------------------------------
# Never who chose what: a ballot's event says only that someone voted.
VOTING_RULE_SET = kind("voting.rule_set", _("%(actor)s set the ballot rules of %(object)s."))
VOTING_OPENED = kind("voting.opened", _("Voting opened in %(object)s."))
BALLOT_CAST = kind("ballot.cast", _("A resident voted in %(object)s."))
VOTING_RESULTS_COMPUTED = kind(
    "voting.results_computed", _("The results of %(object)s were computed.")
)
VOTING_RESULTS_PUBLISHED = kind(
    "voting.results_published", _("%(actor)s published the results of %(object)s.")
)

# --- workshops ---------------------------------------------------------------------------
WORKSHOPS_PROGRAMME_CREATED = kind(
    "workshops.programme_created", _("%(actor)s created the workshop programme %(object)s.")
)
WORKSHOPS_WORKSHOP_CREATED = kind(
    "workshops.workshop_created", _("%(actor)s created the workshop %(object)s.")
)
WORKSHOPS_WORKSHOP_CHANGED = kind(
    "workshops.workshop_changed", _("%(actor)s changed the workshop %(object)s.")
)
WORKSHOPS_REGISTRATION_OPENED = kind(
    "workshops.registration_opened", _("%(actor)s opened registration for %(object)s.")
)
WORKSHOPS_POSTPONED = kind("workshops.postponed", _("%(actor)s moved the workshop %(object)s."))
WORKSHOPS_CANCELLED = kind("workshops.cancelled", _("%(actor)s cancelled the workshop %(object)s."))
WORKSHOPS_HELD = kind(
    "workshops.held", _("%(actor)s recorded that the workshop %(object)s took place.")
)
WORKSHOPS_CORRECTED = kind(
    "workshops.corrected", _("%(actor)s corrected the record of the workshop %(object)s.")
)
WORKSHOPS_REGISTERED = kind(
    "workshops.registered", _("A resident registered for the workshop %(object)s.")
)
WORKSHOPS_REGISTRATION_PROMOTED = kind(
    "workshops.registration_promoted",
    _("A place at the workshop %(object)s went to the next person on the waiting list."),
)
WORKSHOPS_REGISTRATION_CANCELLED = kind(
    "workshops.registration_cancelled",
    _("A registration for the workshop %(object)s was cancelled."),
)
WORKSHOPS_ATTENDANCE = kind(
    "workshops.attendance", _("%(actor)s recorded who came to the workshop %(object)s.")
)
WORKSHOPS_WALK_INS = kind(
    "workshops.walk_ins", _("%(actor)s recorded the walk-ins at the workshop %(object)s.")
)
WORKSHOPS_MINUTES_SAVED = kind(
    "workshops.minutes_saved", _("%(actor)s saved the minutes of the workshop %(object)s.")
)
WORKSHOPS_PHOTO_ADDED = kind(
    "workshops.photo_added", _("%(actor)s added a photo to the workshop %(object)s.")
)
WORKSHOPS_RESIDENT_VERIFIED = kind(
    "workshops.resident_verified",
    _("%(actor)s verified a resident's identity at the workshop %(object)s."),
)
WORKSHOPS_IDEA_ADDED = kind(
    "workshops.idea_added", _("%(actor)s recorded an idea at the workshop %(object)s.")
)
WORKSHOPS_IDEA_TO_PROPOSAL = kind(
    "workshops.idea_to_proposal",
    _("%(actor)s prepared a resident's draft proposal from an idea of the workshop %(object)s."),
)


def event_kind(code: str) -> EventKind | None:
    return REGISTRY.get(code)


def event_sentence(event: Any) -> str:
    """What an event says, for people: its kind's sentence with who acted
    (or "the platform") and on what; the bare code for an unknown kind."""
    found = REGISTRY.get(event.action)
    if found is None:
        return str(event.action)
    label = event.actor_label
    actor = label if label and label != "system" else gettext("The platform")
    return str(found.sentence) % {"actor": actor, "object": event.object_repr}

"""The CRM's fixed words (store/vocabulary.py) as a reader of each language sees them.

The store keeps one canonical word (`Qualifying`, `Call`, `No answer`) and never changes it; a view shows
`label(word)`. Words a workspace chose itself (a custom status, a source typed by a web form) are shown as
they were written. The list below marks the built-in words for the catalog; tests/test_catalog.py checks it
covers store.vocabulary.
"""

from __future__ import annotations

from bot.i18n import N_, _

BUILT_IN = frozenset((
    # status templates
    N_("Unidentified"), N_("Potential"), N_("Qualifying"), N_("Closing"), N_("Customer"), N_("Nurturing"),
    N_("Bad fit"), N_("Churned"), N_("New lead"), N_("Attempting contact"), N_("Contacted"), N_("Qualified"),
    N_("Closed"),
    # status meanings
    N_("No relationship yet."), N_("Worth checking whether they fit."), N_("Calls and demos to confirm intent."),
    N_("Intent confirmed; a deal is being worked."), N_("Paying customer."),
    N_("Fits, but not now (budget, contract elsewhere)."), N_("Stop spending time here."),
    N_("Paid, then left: learn why."), N_("Just arrived; nobody has reached out yet."),
    N_("Trying to reach them; no conversation yet."), N_("We have talked; need and fit being checked."),
    N_("Real need, budget and decision maker confirmed."), N_("Done: won or lost."),
    # activities and outcomes
    N_("Call"), N_("Email"), N_("Meeting"), N_("Message"), N_("Note"),
    N_("Connected"), N_("No answer"), N_("Left message"), N_("Bounced"), N_("Not applicable"),
    # segments and sources
    N_("SMB"), N_("Enterprise"), N_("Inbound form"), N_("Outbound"), N_("Event"), N_("Referral"), N_("Import"),
    # SLA breach actions
    N_("Notify the manager"), N_("Notify and reassign to the next rep"),
    # deal stages, lost reasons, deal kinds
    N_("Discovery"), N_("Demo"), N_("Proposal"), N_("Negotiation"), N_("Won"), N_("Lost"),
    N_("Price"), N_("Timing"), N_("Competitor"), N_("No decision"), N_("Not a fit"), N_("No response"),
    N_("Other"), N_("New business"), N_("Upsell"), N_("Renewal"),
    # organization types, decision authority, relations
    N_("Shop"), N_("Agency"), N_("Partner"), N_("Decides alone"), N_("Needs internal approval"),
    N_("Needs external approval"), N_("works for"), N_("agency"), N_("referred"), N_("referred by"),
    # what reports call leads without a source or a queue (store/services/reports)
    N_("Not recorded"), N_("No queue"),
))


def label(word: str | None) -> str:
    """A fixed word in the reader's language; anything else (user data) as it is. Unescaped."""
    if not word:
        return ""
    return _(word) if word in BUILT_IN else word

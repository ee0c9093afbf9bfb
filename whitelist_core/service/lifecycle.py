"""Answering ESS lifecycle hooks once a batch's writes are done (imperative shell).

A scale-out hook holds new instances until ``CompleteLifecycleAction`` says ``CONTINUE``
(or the hook's ``HeartbeatTimeout`` passes and its ``DefaultResult`` applies). It is
answered only after its instances' entries are in every target that selects them, also
when they already were. Never in a dry run. When a lookup or write failed, or ECS does not
know an instance yet, it is left unanswered and the invocation fails (``HookNotAnswered``)
so the platform retries it. When policy kept an entry out, it is left unanswered without
failing: a retry cannot change that, so the hook's own default result applies.
A scale-out hook that names no instance is never continued: its region is reconciled
(``batch.blind_hook_reconcile``) and the hook left to its own timeout, without failing.
A scale-in hook is answered ``CONTINUE`` at once and removes nothing: the released
instance's Deleted event or the timer removes its IP once nothing holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import structlog

from whitelist_core.errors import PermanentCloudError, TransientCloudError
from whitelist_core.intents import LifecycleAction, SyncInstances
from whitelist_core.outcome import CloudFailure
from whitelist_core.ports import AccountHooks
from whitelist_core.service.batch import Item, UnitResult, whitelisted
from whitelist_core.summary import HookAnswer, Summary

CONTINUE = "CONTINUE"
BLIND = (
    "not answered: the scale-out hook names no instance this function recognises, so "
    "whether every host it holds is whitelisted cannot be known; the region's targets "
    "were reconciled instead, and the hook's DefaultResult applies at its HeartbeatTimeout"
)
log = structlog.get_logger("whitelist_core.audit")


class HookNotAnswered(TransientCloudError):
    """A lifecycle hook could not be answered yet: fail the invocation so it is retried."""

    def __init__(self, hooks: Sequence[str], answered: Sequence[Summary] = ()) -> None:
        self.answered = tuple(answered)
        """Every item's summary, each with its hook's ``lifecycle`` (answered or not)."""
        super().__init__(
            "CompleteLifecycleAction",
            "LifecycleHook.NotReady",
            f"not answered, entries not written yet: {', '.join(hooks)}",
        )


def answer_hooks(
    hooks: AccountHooks,
    done: Sequence[tuple[Summary, Item]],
    units: Sequence[UnitResult],
    default_region: str,
) -> list[Summary]:
    """Answer the hook of every item that carries one, in the account the hook's event
    happened in; the summaries, in order, each with its hook's ``lifecycle``.

    Raises ``HookNotAnswered`` at the end when any hook waits on a failed write.
    """
    pending: list[str] = []
    answered: list[Summary] = []
    for summary, item in done:
        intent = item.intent
        if not isinstance(intent, SyncInstances) or intent.lifecycle is None:
            answered.append(summary)
            continue
        action = intent.lifecycle
        verdict = _verdict(summary, item, units, default_region)
        if verdict == "answer":
            region = intent.region or default_region
            lifecycle = _answer(hooks, item.hosts_account, region, action)
        else:
            lifecycle = HookAnswer(action.hook_id, None, reason=verdict)
            if verdict.startswith("retry"):
                pending.append(action.hook_id)
        answered.append(replace(summary, lifecycle=lifecycle))
    if pending:
        raise HookNotAnswered(pending, answered)
    return answered


def _verdict(summary: Summary, item: Item, units: Sequence[UnitResult], default_region: str) -> str:
    action = item.intent.lifecycle if isinstance(item.intent, SyncInstances) else None
    if item.dry_run:
        return "dry run: not answered"
    if action is not None and not action.scale_out:
        return "answer"
    if isinstance(item.intent, SyncInstances) and not item.intent.instance_ids:
        return BLIND
    if summary.status == "error":
        return "retry: a lookup or write failed"
    readiness = whitelisted(item, units, default_region)
    if readiness == "failed":
        return "retry: an instance is not found or not written"
    if readiness == "blocked":
        return "blocked by policy: the hook's default result applies"
    return "answer"


def _answer(hooks: AccountHooks, account: str, region: str, action: LifecycleAction) -> HookAnswer:
    try:
        hooks(account).complete(region, action.hook_id, action.token, CONTINUE)
    except PermanentCloudError as exc:  # e.g. the token expired: nobody is waiting any more
        log.warning("lifecycle_answer_refused", hook=action.hook_id, code=exc.code)
        return HookAnswer(action.hook_id, None, error=CloudFailure.from_error(exc))
    log.info("lifecycle_answered", hook=action.hook_id, result=CONTINUE, region=region)
    return HookAnswer(action.hook_id, CONTINUE)

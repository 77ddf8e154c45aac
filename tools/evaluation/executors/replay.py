"""Replays model outputs recorded earlier, so validation and pattern mining meet real model errors offline."""

from __future__ import annotations

from collections.abc import Mapping

from ..loaders import Recording
from ..model import Attempt, AttemptContext, ExecutorError, NoMoreAttempts, TaskInstance
from ..pricing import estimate_tokens

DESCRIPTION = (
    "The replay executor submits outputs a model produced earlier (one per task), so each task has exactly "
    "one attempt and the protocol arm cannot change what was written: use it to measure validation, "
    "categorisation and pattern mining on real model errors, not the effect of a protocol."
)


def recording_for(recordings: Mapping[str, Recording], instance: TaskInstance) -> Recording | None:
    """The recording of `instance`, also accepting bare MBPP numbers (``11`` for ``MBPP/11``)."""
    for key in (instance.instance_id, instance.task_id, instance.task_id.removeprefix("MBPP/")):
        if key in recordings:
            return recordings[key]
    return None


class ReplayExecutor:
    name = "replay"
    description = DESCRIPTION

    def __init__(self, recordings: Mapping[str, Recording]) -> None:
        self.recordings = recordings

    def covers(self, instance: TaskInstance) -> bool:
        return recording_for(self.recordings, instance) is not None

    async def solve(
        self,
        task_prompt: str,
        protocol_markdown: str,
        feedback: str | None,
        *,
        context: AttemptContext | None = None,
    ) -> Attempt:
        if context is None:
            raise ExecutorError("the replay executor needs the task instance to find its recording")
        if context.attempt > 1:
            raise NoMoreAttempts(f"{context.instance.instance_id}: a replay has one recorded output per task")
        recording = recording_for(self.recordings, context.instance)
        if recording is None:
            raise ExecutorError(
                f"no recorded output for task {context.instance.task_id!r} in the replay file"
            )
        code = (
            recording.code
            if recording.code is not None
            else context.instance.prompt + (recording.completion or "")
        )
        tokens_in = recording.tokens_in if recording.tokens_in is not None else estimate_tokens(task_prompt)
        tokens_out = recording.tokens_out if recording.tokens_out is not None else estimate_tokens(code)
        measured = recording.tokens_in is not None and recording.tokens_out is not None
        return Attempt(code, tokens_in, tokens_out, recording.cost_usd or 0.0, estimated=not measured)

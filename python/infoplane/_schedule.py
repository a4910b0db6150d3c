"""Logging schedules: which training epochs a run records (docs/run-file.md).

The same epoch numbers the lab's ``LoggingSchedule`` computes for the same settings
(tested against it). Epochs are 0-based indices of training epochs, ``0..E-1``.
Spellings are those of an experiment configuration's ``recording.schedule``:
``"every_epoch"``, ``"ibsgd"``, ``{"every": n}``, ``{"explicit": [..]}`` and
``{"log_spaced": count}`` (optionally ``{"log_spaced": count, "start": s}``).
"""
import math


def schedule_epochs(schedule, total):
    """The logged epochs of a run of ``total`` epochs, ascending (a list of ints)."""
    total = int(total)
    if total < 0:
        raise ValueError(f"epochs must be 0 or more, not {total}")
    if total == 0:
        return [0]  # a model recorded as it is: its one state
    if schedule in ("every_epoch", "every-epoch"):
        return list(range(total))
    if schedule == "ibsgd":
        # Saxe et al. 2018's schedule: every epoch below 20, every 5th below 100,
        # every 20th below 2000, every 100th after.
        return [k for k in range(total) if k < 20 or (k < 100 and k % 5 == 0) or (k < 2000 and k % 20 == 0) or k % 100 == 0]
    if not isinstance(schedule, dict) or len(set(schedule) - {"start"}) != 1:
        raise ValueError(f"schedule {schedule!r}: one of 'every_epoch', 'ibsgd', {{'every': n}}, {{'explicit': [...]}}, {{'log_spaced': count}}")
    if "every" in schedule:
        n = _positive(schedule["every"], "every")
        return sorted(set(range(0, total, n)) | {total - 1})
    if "explicit" in schedule:
        return sorted({int(k) for k in schedule["explicit"] if 0 <= int(k) < total})
    if "log_spaced" in schedule:
        count = _positive(schedule["log_spaced"], "log_spaced")
        start = _positive(schedule.get("start", 1), "start")
        if count < 2:
            return [k for k in [max(0, start - 1)] if k < total]
        # The 2017 code (IDNNs): unique(logspace(log2(start), log2(E), count, base=2).astype(int)) - 1,
        # with numpy.linspace's arithmetic (start + i*step, the last point exactly stop).
        low, high = math.log2(max(start, 1)), math.log2(total)
        step = (high - low) / (count - 1)
        values = {int(math.pow(2.0, high if i == count - 1 else low + i * step)) - 1 for i in range(count)}
        return sorted(k for k in values if 0 <= k < total)
    raise ValueError(f"schedule {schedule!r}: unknown kind {next(iter(schedule))!r}")


def schedule_text(schedule):
    """The schedule in the configuration's YAML spelling (for the stored config)."""
    if isinstance(schedule, str):
        return schedule
    if "log_spaced" in schedule:
        return f"{{log_spaced: {int(schedule['log_spaced'])}}}" if int(schedule.get("start", 1)) == 1 else \
            f"{{log_spaced: {int(schedule['log_spaced'])}, start: {int(schedule['start'])}}}"
    if "every" in schedule:
        return f"{{every: {int(schedule['every'])}}}"
    return "{explicit: [" + ", ".join(str(int(k)) for k in schedule["explicit"]) + "]}"


def _positive(value, name):
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"schedule {name}: {value!r} is not a positive integer")
    return int(value)

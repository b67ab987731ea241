"""The service's own problem types (RFC 9457), beyond the kit's."""

from __future__ import annotations

from common.problems import AlreadyExists, AppError, Conflict, InvalidInput, PayloadTooLarge


class TooManyRows(PayloadTooLarge):
    problem_type = "too-many-rows"
    title = "Too many rows / För många rader"


class UploadIncomplete(AppError):
    """The client went away before the body was complete: said to nobody, logged as such."""

    status = 400
    problem_type = "upload-incomplete"
    title = "Upload incomplete / Uppladdningen avbröts"


class InvalidUpload(InvalidInput):
    """The file as a whole cannot be read: not UTF-8, malformed CSV, JSON or XLSX, no header."""

    problem_type = "invalid-upload"
    title = "Invalid file / Ogiltig fil"


class SchoolExists(AlreadyExists):
    problem_type = "school-exists"
    title = "School already registered / Skolan finns redan"


class WaveExists(AlreadyExists):
    problem_type = "wave-exists"
    title = "Wave already registered / Mätningen finns redan"


class InstrumentVersionLocked(AlreadyExists):
    """The version cannot take these items: it has data, or a concurrent request has just
    registered it (then it exists already, and a retry sees it)."""

    problem_type = "instrument-version-locked"
    title = "Instrument version locked / Enkätversionen är låst"


class InstrumentChanged(Conflict):
    problem_type = "instrument-changed"
    title = "Instrument changed / Enkätversionen ändrades"


class RespondentsConflict(Conflict):
    problem_type = "respondents-conflict"
    title = "Respondents already stored / Svaren finns redan"


class WaveLocked(Conflict):
    problem_type = "wave-locked"
    title = "Wave locked / Mätningen är låst"


class BatchDeleted(Conflict):
    problem_type = "batch-deleted"
    title = "Batch already deleted / Omgången är redan borttagen"


class RespondentsElsewhere(Conflict):
    problem_type = "respondents-of-another-school"
    title = "Respondents of another school / Elever från en annan skola"


class UnmatchedPreWave(Conflict):
    problem_type = "unmatched-pre-wave"
    title = "No pupil of the pre wave / Ingen elev från förmätningen"

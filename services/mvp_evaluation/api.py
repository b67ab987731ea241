"""The domain routers of the mvp-evaluation service, served under /mvp-evaluation/v1."""

from services.mvp_evaluation.analyses.router import router as analyses
from services.mvp_evaluation.batches.router import router as batches
from services.mvp_evaluation.exports.router import router as exports
from services.mvp_evaluation.instruments.router import router as instruments
from services.mvp_evaluation.responses.router import router as responses
from services.mvp_evaluation.schools.router import router as schools
from services.mvp_evaluation.waves.router import router as waves

ROUTERS = (schools, instruments, waves, responses, batches, analyses, exports)

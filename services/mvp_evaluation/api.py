"""Every route of the mvp-evaluation service, under /mvp-evaluation/v1."""

from fastapi import APIRouter

from services.mvp_evaluation.analyses.router import router as analyses
from services.mvp_evaluation.exports.router import router as exports
from services.mvp_evaluation.instruments.router import router as instruments
from services.mvp_evaluation.responses.router import router as responses
from services.mvp_evaluation.schools.router import router as schools
from services.mvp_evaluation.waves.router import router as waves

router = APIRouter(prefix="/mvp-evaluation/v1")
for domain in (schools, instruments, waves, responses, analyses, exports):
    router.include_router(domain)

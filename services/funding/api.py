"""The domain routers of the funding service, served under /funding/v1."""

from services.funding.accounts.router import router as accounts
from services.funding.audit.router import router as audit
from services.funding.distributions.router import router as distributions
from services.funding.grants.applications_router import router as applications
from services.funding.grants.router import router as calls
from services.funding.summary.router import router as summary
from services.funding.transfers.router import router as transfers

ROUTERS = (accounts, transfers, distributions, calls, applications, summary, audit)

"""`--model api:NAME`: a model served behind an OpenAI-compatible API, resolved to a `ResolvedModel`.

Name and results folder: `api/NAME` (`api__NAME/`), or `--name`; revision `no_revision_available`
(what a server runs is not known), so two servers of one model name need separate `--name`s or
output folders, which the recorded base URL enforces. The text policy: no prefix and no
instruction of its own (give them with `--query-prefix`, `--query-instruction`, ...), plus the
`--api-input-type` role values. Settings recorded (decisive, and the cache identity): what each
request carries (`ApiOptions.record`) and the normalisation. The model's texts are stored every
`concurrency x batch size` texts, so an interrupted run loses at most the requests in flight.
"""

from __future__ import annotations

from cmteb.errors import UserError
from cmteb.models.api_options import API_PREFIX, ApiOptions
from cmteb.models.policy import TextPolicy
from cmteb.models.types import (
    NO_REVISION,
    Adapter,
    ModelOptions,
    ResolvedModel,
    apply_policy_overrides,
    refuse_settings,
)


def resolve_api_model(name: str, opts: ModelOptions) -> ResolvedModel:
    """`api:NAME` with `opts.api` (UserError for a missing server URL or a setting it cannot apply)."""
    from cmteb.models.api_encoder import ApiEncoder

    served = name[len(API_PREFIX):]
    if not served:
        raise UserError(f"model {name!r}: give the served model's name after 'api:' "
                        "(e.g. api:text-embedding-3-small)")
    options = (opts.api or ApiOptions()).checked(name)
    refuse_settings(name, opts, "the server decides pooling, length and dtype",
                    allowed=("--normalize/--no-normalize",))
    normalize = bool(opts.normalize)
    policy = apply_policy_overrides(TextPolicy(input_types=options.input_types), opts)
    return ResolvedModel(
        name=opts.name or f"api/{served}", revision=opts.revision or NO_REVISION, policy=policy,
        adapter=Adapter.API,
        settings={"api": options.record(served), "normalize": normalize},
        factory=lambda: ApiEncoder(served, options, normalize=normalize),
        store_every=options.concurrency * options.batch_size,
    )

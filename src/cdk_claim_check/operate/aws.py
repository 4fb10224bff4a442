"""AWS access for the operator command: one boto3 session, and AWS failures as clear operator errors.

boto3 is imported only by :func:`session`, after :func:`require_boto3` has said what to install
when it is missing, so ``cdk-claim-check --help`` works without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

INSTALL_HINT = 'install it with: pip install "cdk-claim-check[runtime]"'

_T = TypeVar("_T")


class OperatorError(Exception):
    """A failure the command reports in one line, with its exit status (2: usage, setup or unknown
    resource; 1: a claim that does not verify, or an AWS call that failed)."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def require_boto3() -> None:
    """Fail with what to install when boto3 is missing (the constructs alone do not need it).

    :raises OperatorError: without boto3.
    """
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise OperatorError(f"cdk-claim-check needs boto3, which is not installed: {INSTALL_HINT}") from None


@dataclass(frozen=True)
class AwsOptions:
    """Where the command's AWS calls go: ``--region``, ``--profile``, ``--endpoint-url``."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


class Aws:
    """boto3 clients of one session, made on first use."""

    def __init__(self, options: AwsOptions) -> None:
        require_boto3()
        import boto3
        from botocore.exceptions import ProfileNotFound

        try:
            self._session = boto3.session.Session(profile_name=options.profile, region_name=options.region)
        except ProfileNotFound:
            raise OperatorError(f"AWS profile {options.profile!r} not found (--profile)") from None
        self._endpoint_url = options.endpoint_url
        self._clients: dict[str, Any] = {}
        if self._session.region_name is None:
            raise OperatorError("no AWS region: pass --region or set AWS_REGION / a profile's region")

    @property
    def region(self) -> str:
        """The session's region."""
        return str(self._session.region_name)

    @property
    def account(self) -> str:
        """The account of the session's credentials (STS ``GetCallerIdentity``, which needs no permission)."""
        if "account" not in self._clients:
            with aws_errors("STS GetCallerIdentity"):
                self._clients["account"] = str(self.client("sts").get_caller_identity()["Account"])
        return str(self._clients["account"])

    def client(self, service: str) -> Any:
        """The session's client of ``service`` (``--endpoint-url`` applies to every service)."""
        if service not in self._clients:
            self._clients[service] = self._session.client(  # type: ignore[call-overload]
                service, endpoint_url=self._endpoint_url
            )
        return self._clients[service]


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (``""`` for anything else)."""
    response = getattr(error, "response", None)
    return str((response or {}).get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


_MISSING_QUEUE = frozenset({"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"})


@contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """Turn botocore failures inside the block into :class:`OperatorError` naming ``what`` and the cause."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise OperatorError(
            "no AWS credentials found: configure them (aws configure, AWS_PROFILE, environment variables, "
            "an instance or SSO role) or pass --profile"
        ) from None
    except EndpointConnectionError as error:
        raise OperatorError(f"{what}: cannot reach {error.kwargs.get('endpoint_url', 'AWS')}") from None
    except ClientError as error:
        code = error_code(error)
        message = error.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException":
            raise OperatorError(f"{what}: not found ({message or code})") from None
        if code in _MISSING_QUEUE:
            raise OperatorError(f"{what}: the queue does not exist") from None
        if code in (
            "UnrecognizedClientException",
            "InvalidClientTokenId",
            "ExpiredToken",
            "ExpiredTokenException",
        ):
            raise OperatorError(f"{what}: the AWS credentials were refused ({code})") from None
        raise OperatorError(f"{what}: AWS error {code}: {message}", exit_status=1) from None


def call(what: str, function: Callable[..., _T], **kwargs: Any) -> _T:
    """``function(**kwargs)`` inside :func:`aws_errors`."""
    with aws_errors(what):
        return function(**kwargs)

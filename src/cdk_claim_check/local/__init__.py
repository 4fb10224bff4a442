"""The local run: a synthesized CDK app, end to end, against moto's server on 127.0.0.1.

``cdk-claim-check-local`` synthesizes an app (or reads a cloud assembly), creates in moto the
resources its pipes need (queues with redrive policies, buses and rules, state machines, tables,
buckets, topics, log groups), and then plays EventBridge Pipes itself: it polls each pipe's
source queue with the pipe's batch size, calls the enrichment function's real handler in-process
(loaded from the function's asset directory with the function's environment from the template),
and delivers the result to the pipe's target. Everything is read from the template, so a change to
the app (batch size, keep fields, targets) is what the local run does next time.

Needs the ``[local]`` extra (boto3, Powertools, ``moto[server]``).
"""

from __future__ import annotations

__all__: list[str] = []

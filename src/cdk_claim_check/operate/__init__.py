"""The operator command ``cdk-claim-check`` (``inspect``, ``redeem``, ``dlq list``, ``dlq redrive``).

It needs boto3 (``pip install "cdk-claim-check[runtime]"``) and says so when it is missing; nothing here
imports it at import time.
"""

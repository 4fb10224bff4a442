"""A handler that imports the library as installed on the developer's machine: Lambda has no such module."""


def handler(event, context):
    import cdk_claim_check.runtime  # noqa: F401

    return "imported"

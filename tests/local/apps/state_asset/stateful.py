"""A handler whose configuration is read once at cold start, like the library's runtime."""

import os

GREETING = os.environ["GREETING"]
CALLS = []


def handler(event, context):
    CALLS.append(event)
    print(f"{GREETING} from {context.function_name}")
    if event == "fail":
        raise RuntimeError("asked to fail")
    return {"greeting": GREETING, "calls": len(CALLS), "remaining_ms": context.get_remaining_time_in_millis()}

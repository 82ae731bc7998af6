"""Alerts pushed to people: email subscribers, the delivery queue, and the worker that drains it.

``subscribers`` holds who asked for what (addresses encrypted, looked up by keyed
hash), ``queue`` the messages owed (publishing only inserts rows), ``message`` what
a mail says, ``smtp`` how it leaves, ``worker`` the loop behind ``python -m
supplywatch deliver``. See docs/subscriptions.md.
"""

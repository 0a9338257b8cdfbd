"""Who may say whether a service takes referrals."""

from __future__ import annotations


def may_set_capacity(user, service) -> bool:
    """Whether `user` may set the capacity of `service` (a Service row): curators and admins.

    The staff of the organization that claims the service in the network are to be added here;
    every check (the API, the service page and its form) goes through this one function.
    """
    return bool(user.has_role("curator"))

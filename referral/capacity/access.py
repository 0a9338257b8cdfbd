"""Who may say whether a service takes referrals."""

from __future__ import annotations


def may_set_capacity(user, service) -> bool:
    """Whether `user` may set the capacity of `service` (a Service row): curators and admins,
    and the receiving staff of the network organization that claims the service (directly or
    through its directory organization). Every check (the API, the service page and its form)
    goes through this one function."""
    from referral.network.operations import receiving_org_id
    from referral.network.scope import receiving_org_ids

    if user.has_role("curator"):
        return True
    claimed_by = receiving_org_id(service)
    return claimed_by is not None and claimed_by in receiving_org_ids(user)

"""What happens to referrals, as signals other packages listen to (notifications do).

Each signal is sent inside the operation, before the request commits, so listeners write in
the same transaction.
"""

from blinker import Namespace

signals = Namespace()
created = signals.signal("referral-created")
"""Sent with the new referral."""
status_changed = signals.signal("referral-status-changed")
"""Sent with the referral and keyword `change` (a `states.Change`)."""
message_posted = signals.signal("referral-message-posted")
"""Sent with the referral and keyword `message` (a `ReferralMessage`)."""

"""`referral orgs` and `referral users create --org`: set up a network from the command line,
with clear refusals naming what is wrong."""

from sqlalchemy import select

from referral.directory.models import Service
from referral.extensions import db
from referral.network.operations import find_organization
from tests.conftest import PASSWORD, load_directory


def listing(app) -> str:
    """A directory organization's id from the bundled directory."""
    with app.app_context():
        return db.session.scalars(select(Service.organization_id).order_by(Service.id)).first()


def test_organizations_are_created_listed_and_given_members(app, runner):
    load_directory(app)
    made = runner.invoke(
        args=[
            "orgs",
            "create",
            "food-bank",
            "--name",
            "Food Bank",
            "--kind",
            "receiving",
            "--email",
            "intake@food.example",
            "--claims",
            listing(app),
        ]
    )
    assert made.exit_code == 0, made.output
    assert "answering for 1 listing(s)" in made.output
    runner.invoke(args=["orgs", "create", "clinic-a", "--name", "Clinic A", "--kind", "referring"])
    user = runner.invoke(
        args=["users", "create", "fay", "--role", "receiver", "--org", "food-bank"],
        input=PASSWORD + "\n",
    )
    assert user.exit_code == 0 and "in food-bank" in user.output
    listed = runner.invoke(args=["orgs", "list"]).output
    assert "food-bank\treceiving\t1 members\t1 claims\tintake@food.example\tFood Bank" in listed
    turned_off = runner.invoke(args=["orgs", "update", "food-bank", "--no-links"])
    assert turned_off.exit_code == 0
    with app.app_context():
        assert find_organization("food-bank").link_enabled is False


def test_bad_organizations_and_memberships_are_refused_naming_the_problem(app, runner):
    bad_key = runner.invoke(args=["orgs", "create", "Clinic A!", "--name", "A", "--kind", "both"])
    assert bad_key.exit_code != 0 and "key:" in bad_key.output
    runner.invoke(args=["orgs", "create", "clinic-a", "--name", "Clinic A", "--kind", "referring"])
    runner.invoke(args=["orgs", "create", "clinic-b", "--name", "Clinic B", "--kind", "referring"])
    again = runner.invoke(args=["orgs", "create", "clinic-a", "--name", "A", "--kind", "both"])
    assert again.exit_code != 0 and "already" in again.output
    no_org = runner.invoke(
        args=["users", "create", "ann", "--role", "case_manager"], input=PASSWORD + "\n"
    )
    assert no_org.exit_code != 0 and "--org" in no_org.output and "clinic-a" in no_org.output
    unknown = runner.invoke(
        args=["users", "create", "ann", "--role", "case_manager", "--org", "nope"],
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code != 0 and "no organization 'nope'" in unknown.output
    receiver = runner.invoke(
        args=["users", "create", "rex", "--role", "receiver", "--org", "clinic-a"],
        input=PASSWORD + "\n",
    )
    assert receiver.exit_code != 0 and "does not receive referrals" in receiver.output
    claim = runner.invoke(args=["orgs", "update", "clinic-a", "--claims", "no-such-listing"])
    assert claim.exit_code != 0 and "does not receive referrals" in claim.output

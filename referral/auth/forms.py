"""Sign-in and account forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from referral.errors import Refused

ROLE_CHOICES = [
    SelectChoice("case_manager", "Case manager"),
    SelectChoice("curator", "Curator"),
    SelectChoice("staff", "Front-desk staff"),
    SelectChoice("receiver", "Receiving staff (answers referrals)"),
    SelectChoice("admin", "Administrator"),
]


class LoginForm(FlaskForm):
    """Username and password, with CSRF protection from Flask-WTF."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this computer")


class NewUserForm(FlaskForm):
    """An account an admin adds; the password is generated and shown once."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("Name shown on referral slips", validators=[Length(max=120)])
    email = StringField("Email (for notifications)", validators=[Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    organization = SelectField("Organization", choices=[], validate_choice=False)


class DetailsForm(FlaskForm):
    """How a user appears on the referral slips patients take home."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    phone = StringField("Phone patients can call", validators=[Length(max=40)])
    email = StringField("Email", validators=[Length(max=200)])


class PasswordForm(FlaskForm):
    """Your current password and the new one, twice."""

    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password (at least 12 characters)", validators=[DataRequired()])
    repeated = PasswordField("New password again", validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A bare form: a button that posts with CSRF protection."""


def check_posted_form() -> None:
    """Refuse a posted form whose CSRF token is missing or expired."""
    if not ActionForm().validate_on_submit():
        raise Refused("The form expired. Reload the page and try again.")

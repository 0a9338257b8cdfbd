"""Flask extensions, instantiated here and bound to the app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import ARRAY, Integer, MetaData, any_, bindparam

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def among(column, ids):
    """A condition: `column` is one of `ids` (integers, or a query of them). PostgreSQL is
    given a list as one array parameter, which it reads much faster than hundreds of values."""
    if not isinstance(ids, list | set | tuple) or db.engine.dialect.name != "postgresql":
        return column.in_(ids)
    return column == any_(bindparam(None, sorted(ids), type_=ARRAY(Integer)))

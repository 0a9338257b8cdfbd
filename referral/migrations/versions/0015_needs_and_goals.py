"""care plans: needs and goals with their histories; the need a referral serves

Every need an earlier screening found becomes an active need of the patient (one per domain,
from the earliest screening that found it), and every referral points at the patient's active
need of its domain, one made by hand when no screening found it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:00:00.000000

"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

screenings = sa.table(
    'screenings',
    sa.column('id', sa.Integer), sa.column('patient_id', sa.Integer),
    sa.column('needs', sa.JSON), sa.column('created_by', sa.Integer),
    sa.column('created_at', sa.DateTime(timezone=True)),
)
referrals = sa.table(
    'referrals',
    sa.column('id', sa.Integer), sa.column('patient_id', sa.Integer), sa.column('need', sa.String),
    sa.column('need_id', sa.Integer), sa.column('created_by', sa.Integer),
    sa.column('created_at', sa.DateTime(timezone=True)),
)
needs = sa.table(
    'needs',
    sa.column('id', sa.Integer), sa.column('patient_id', sa.Integer), sa.column('domain', sa.String),
    sa.column('z_code', sa.String), sa.column('note', sa.Text), sa.column('status', sa.String),
    sa.column('source', sa.String), sa.column('screening_id', sa.Integer),
    sa.column('created_by', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)), sa.column('version', sa.Integer),
)
need_events = sa.table(
    'need_events',
    sa.column('need_id', sa.Integer), sa.column('to_status', sa.String), sa.column('note', sa.Text),
    sa.column('user_id', sa.Integer), sa.column('actor', sa.Text),
    sa.column('at', sa.DateTime(timezone=True)),
)


def upgrade():
    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('z_code', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_needs_created_by_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_needs_patient_id_patients')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_needs_screening_id_screenings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_patient_id'), ['patient_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('code_system', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('code_display', sa.Text(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('achievement_status', sa.String(length=24), nullable=False),
    sa.Column('lifecycle_status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_goals_created_by_users')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_goals_need_id_needs')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_goals_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_patient_id'), ['patient_id'], unique=False)

    op.create_table('interventions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_interventions_created_by_users')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_interventions_need_id_needs')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_interventions_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interventions'))
    )
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interventions_patient_id'), ['patient_id'], unique=False)

    op.create_table('need_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_events_need_id_needs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_need_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_events'))
    )
    with op.batch_alter_table('need_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_events_need_id'), ['need_id'], unique=False)

    op.create_table('goal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_events_goal_id_goals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goal_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_events'))
    )
    with op.batch_alter_table('goal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_events_goal_id'), ['goal_id'], unique=False)

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('need_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_need_id'), ['need_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referrals_need_id_needs'), 'needs', ['need_id'], ['id'])

    backfill(op.get_bind())


def backfill(bind):
    """Needs from the screenings so far, and the need each referral serves."""
    made = {}
    rows = bind.execute(sa.select(screenings).order_by(screenings.c.created_at, screenings.c.id))
    for row in rows.mappings().all():
        found = row['needs']
        for need in (json.loads(found) if isinstance(found, str) else found) or []:
            key = (row['patient_id'], need.get('need'))
            if key[1] and key not in made:
                codes = need.get('z_codes') or [None]
                made[key] = add_need(bind, key, codes[0], 'screening', row['id'], row['created_by'], row['created_at'])
    rows = bind.execute(sa.select(referrals).order_by(referrals.c.created_at, referrals.c.id))
    for row in rows.mappings().all():
        key = (row['patient_id'], row['need'])
        if key not in made:
            made[key] = add_need(bind, key, None, 'manual', None, row['created_by'], row['created_at'])
        bind.execute(referrals.update().where(referrals.c.id == row['id']).values(need_id=made[key]))


def add_need(bind, key, z_code, source, screening_id, user_id, at):
    """One active need and the first event of its history; its id."""
    at = at or datetime.now(timezone.utc)
    note = '' if source == 'screening' else 'Added with a referral.'
    need_id = bind.execute(
        needs.insert().values(
            patient_id=key[0], domain=key[1], z_code=z_code, note=note, status='active',
            source=source, screening_id=screening_id, created_by=user_id, created_at=at,
            updated_at=at, version=1,
        ).returning(needs.c.id)
    ).scalar_one()
    bind.execute(need_events.insert().values(need_id=need_id, to_status='active', note='', user_id=user_id, actor='upgrade', at=at))
    return need_id


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_need_id_needs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_need_id'))
        batch_op.drop_column('need_id')

    with op.batch_alter_table('goal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_events_goal_id'))

    op.drop_table('goal_events')
    with op.batch_alter_table('need_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_events_need_id'))

    op.drop_table('need_events')
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interventions_patient_id'))

    op.drop_table('interventions')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_patient_id'))
        batch_op.drop_index(batch_op.f('ix_goals_need_id'))

    op.drop_table('goals')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_patient_id'))

    op.drop_table('needs')

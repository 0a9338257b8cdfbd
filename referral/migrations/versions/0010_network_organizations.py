"""network: organizations, members, claimed listings, shared patients, referral messages

Every user and patient of an installation made before organizations existed joins one default
organization, so nothing is lost and nobody sees less than before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:10:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('link_enabled', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_organizations')),
    sa.UniqueConstraint('key', name=op.f('uq_network_organizations_key'))
    )
    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_memberships_organization_id_network_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'organization_id', name=op.f('uq_memberships_user_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)
    op.create_table('organization_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('directory_organization_id', sa.String(length=255), nullable=True),
    sa.Column('service_id', sa.String(length=255), nullable=True),
    sa.Column('claimed_by', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claimed_by'], ['users.id'], name=op.f('fk_organization_claims_claimed_by_users')),
    sa.ForeignKeyConstraint(['directory_organization_id'], ['organizations.id'], name=op.f('fk_organization_claims_directory_organization_id_organizations')),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_organization_claims_organization_id_network_organizations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_organization_claims_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_claims')),
    sa.UniqueConstraint('directory_organization_id', name=op.f('uq_organization_claims_directory_organization_id')),
    sa.UniqueConstraint('service_id', name=op.f('uq_organization_claims_service_id'))
    )
    with op.batch_alter_table('organization_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_claims_organization_id'), ['organization_id'], unique=False)
    op.create_table('patient_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('shared_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_by', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], name=op.f('fk_patient_shares_ended_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_patient_shares_organization_id_network_organizations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_shares_patient_id_patients')),
    sa.ForeignKeyConstraint(['shared_by'], ['users.id'], name=op.f('fk_patient_shares_shared_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_shares'))
    )
    with op.batch_alter_table('patient_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_shares_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_shares_patient_id'), ['patient_id'], unique=False)

    op.create_table('referral_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.Text(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_referral_messages_author_id_users')),
    sa.ForeignKeyConstraint(['read_by'], ['users.id'], name=op.f('fk_referral_messages_read_by_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_messages_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_messages'))
    )
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_messages_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referring_org_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receiving_org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_receiving_org_id'), ['receiving_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referring_org_id'), ['referring_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referrals_receiving_org_id_network_organizations'), 'network_organizations', ['receiving_org_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_referrals_referring_org_id_network_organizations'), 'network_organizations', ['referring_org_id'], ['id'])

    move_everyone_into_one_organization()

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_patients_mrn', type_='unique')
        batch_op.create_index(batch_op.f('ix_patients_mrn'), ['mrn'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_organization_id'), ['organization_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_patients_organization_id'), ['organization_id', 'mrn'])
        batch_op.create_foreign_key(batch_op.f('fk_patients_organization_id_network_organizations'), 'network_organizations', ['organization_id'], ['id'])


def move_everyone_into_one_organization():
    """Put an existing installation's users, patients and referrals in one organization."""
    bind = op.get_bind()
    has_users = bind.execute(sa.text('SELECT 1 FROM users LIMIT 1')).first()
    has_patients = bind.execute(sa.text('SELECT 1 FROM patients LIMIT 1')).first()
    if not (has_users or has_patients):
        return
    bind.execute(
        sa.text(
            "INSERT INTO network_organizations (key, name, kind, email, link_enabled, active, created_at) "
            "VALUES ('default', 'Our organization', 'both', '', :yes, :yes, :now)"
        ),
        {"yes": True, "now": datetime.now(timezone.utc)},
    )
    org_id = bind.execute(sa.text("SELECT id FROM network_organizations WHERE key = 'default'")).scalar()
    bind.execute(
        sa.text(
            "INSERT INTO memberships (user_id, organization_id, role, created_at) "
            "SELECT id, :org, role, :now FROM users"
        ),
        {"org": org_id, "now": datetime.now(timezone.utc)},
    )
    bind.execute(sa.text("UPDATE users SET instance_admin = :yes WHERE role = 'admin'"), {"yes": True})
    bind.execute(sa.text("UPDATE patients SET organization_id = :org"), {"org": org_id})
    bind.execute(sa.text("UPDATE referrals SET referring_org_id = :org"), {"org": org_id})


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_patients_organization_id_network_organizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_patients_organization_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_patients_organization_id'))
        batch_op.drop_index(batch_op.f('ix_patients_mrn'))
        batch_op.create_unique_constraint('uq_patients_mrn', ['mrn'])
        batch_op.drop_column('organization_id')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_referring_org_id_network_organizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_referrals_receiving_org_id_network_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_referring_org_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_receiving_org_id'))
        batch_op.drop_column('receiving_org_id')
        batch_op.drop_column('referring_org_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('instance_admin')
    op.drop_table('referral_messages')
    op.drop_table('patient_shares')
    op.drop_table('organization_claims')
    op.drop_table('memberships')
    op.drop_table('network_organizations')

"""fhir: OAuth clients of the FHIR API and their access tokens; when each patient last changed

Existing patients are taken to have last changed when they were registered.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fhir_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_fhir_clients_created_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_fhir_clients_organization_id_network_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fhir_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_fhir_clients_client_id'))
    )
    with op.batch_alter_table('fhir_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_clients_organization_id'), ['organization_id'], unique=False)

    op.create_table('fhir_access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('fhir_client_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['fhir_client_id'], ['fhir_clients.id'], name=op.f('fk_fhir_access_tokens_fhir_client_id_fhir_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fhir_access_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_fhir_access_tokens_digest'))
    )
    with op.batch_alter_table('fhir_access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_access_tokens_fhir_client_id'), ['fhir_client_id'], unique=False)

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE patients SET updated_at = created_at')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('fhir_access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fhir_access_tokens_fhir_client_id'))

    op.drop_table('fhir_access_tokens')
    with op.batch_alter_table('fhir_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fhir_clients_organization_id'))

    op.drop_table('fhir_clients')

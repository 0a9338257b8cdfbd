"""patient links: signed, expiring links to a patient's own page

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('patient_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_via', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_patient_links_created_by_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_links_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_patient_links_token_hash'))
    )
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_links_patient_id'), ['patient_id'], unique=False)


def downgrade():
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_links_patient_id'))

    op.drop_table('patient_links')

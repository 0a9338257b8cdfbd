"""notifications: the outbox of email and texts, texts received, and how patients want to be reached

Existing patients keep being reached by phone calls (`contact_channel` phone) in the
America/New_York time zone until their record says otherwise.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-21 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_outbox_messages_organization_id_network_organizations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_outbox_messages_patient_id_patients')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_outbox_messages_referral_id_referrals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_messages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_messages_idempotency_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_referral_id'), ['referral_id'], unique=False)

    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('read_as', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('answered_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_id'], ['outbox_messages.id'], name=op.f('fk_inbound_messages_answered_id_outbox_messages')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_inbound_messages_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_inbound_messages_provider_id'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_sender'), ['sender'], unique=False)

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_channel', sa.String(length=8), server_default='phone', nullable=False))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='America/New_York', nullable=False))



def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('contact_channel')

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_sender'))

    op.drop_table('inbound_messages')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_referral_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_patient_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_organization_id'))
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')

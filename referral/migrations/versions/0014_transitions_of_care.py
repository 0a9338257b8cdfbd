"""transitions: encounters, ADT messages and the tasks they raise

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('adt_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('origin', sa.Text(), nullable=False),
    sa.Column('control_id', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=8), nullable=False),
    sa.Column('sending_facility', sa.Text(), nullable=False),
    sa.Column('mrn', sa.String(length=64), nullable=True),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by'], ['users.id'], name=op.f('fk_adt_messages_handled_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['network_organizations.id'], name=op.f('fk_adt_messages_organization_id_network_organizations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_adt_messages_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adt_messages'))
    )
    with op.batch_alter_table('adt_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adt_messages_control_id'), ['control_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adt_messages_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adt_messages_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adt_messages_status'), ['status'], unique=False)

    op.create_table('encounters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('facility', sa.Text(), nullable=False),
    sa.Column('diagnosis_codes', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_encounters_created_by_users')),
    sa.ForeignKeyConstraint(['message_id'], ['adt_messages.id'], name=op.f('fk_encounters_message_id_adt_messages')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_encounters_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_encounters'))
    )
    with op.batch_alter_table('encounters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_encounters_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_encounters_patient_id'), ['patient_id'], unique=False)

    op.create_table('transition_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('encounter_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_transition_tasks_closed_by_users')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('fk_transition_tasks_encounter_id_encounters')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_transition_tasks_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transition_tasks'))
    )
    with op.batch_alter_table('transition_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transition_tasks_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_transition_tasks_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transition_tasks_patient_id'), ['patient_id'], unique=False)


def downgrade():
    with op.batch_alter_table('transition_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transition_tasks_patient_id'))
        batch_op.drop_index(batch_op.f('ix_transition_tasks_encounter_id'))
        batch_op.drop_index(batch_op.f('ix_transition_tasks_due'))

    op.drop_table('transition_tasks')
    with op.batch_alter_table('encounters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_encounters_patient_id'))
        batch_op.drop_index(batch_op.f('ix_encounters_at'))

    op.drop_table('encounters')
    with op.batch_alter_table('adt_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adt_messages_status'))
        batch_op.drop_index(batch_op.f('ix_adt_messages_patient_id'))
        batch_op.drop_index(batch_op.f('ix_adt_messages_organization_id'))
        batch_op.drop_index(batch_op.f('ix_adt_messages_control_id'))

    op.drop_table('adt_messages')

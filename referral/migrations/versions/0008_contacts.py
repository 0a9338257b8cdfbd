"""directory: contacts; the UUID each record is published under in HSDS 3.0

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:40:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa

# The namespace of `referral.directory.hsds.identity`, kept here so the migration never changes.
NAMESPACE = uuid.UUID("6f1c8e2a-6a8e-4d0c-9a57-2f1f4b0c8d31")
PUBLISHED = {
    'organizations': 'organization',
    'services': 'service',
    'locations': 'location',
    'service_at_locations': 'service_at_location',
    'taxonomy_terms': 'taxonomy_term',
}


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contacts',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('organization_id', sa.String(length=255), nullable=True),
    sa.Column('service_id', sa.String(length=255), nullable=True),
    sa.Column('location_id', sa.String(length=255), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=255), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('department', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_contacts_location_id_locations')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_contacts_organization_id_organizations')),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_locations.id'], name=op.f('fk_contacts_service_at_location_id_service_at_locations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_contacts_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        for column in ('organization_id', 'service_id', 'location_id', 'service_at_location_id'):
            batch_op.create_index(batch_op.f(f'ix_contacts_{column}'), [column], unique=False)


    for table, kind in PUBLISHED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('hsds_id', sa.String(length=36), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_hsds_id'), ['hsds_id'], unique=False)
        publish_ids(table, kind)


def publish_ids(table, kind):
    """Give every existing record of `table` the UUID it is published under."""
    connection = op.get_bind()
    records = sa.table(table, sa.column('id', sa.String), sa.column('hsds_id', sa.String))
    ids = [row.id for row in connection.execute(sa.select(records.c.id))]
    for record_id in ids:
        connection.execute(
            records.update().where(records.c.id == record_id).values(hsds_id=published(kind, record_id))
        )


def published(kind, value):
    """The HSDS 3.0 id of a record: its own when that is a UUID, else one derived from it."""
    try:
        if str(uuid.UUID(value)) == value.lower() and len(value) == 36:
            return value
    except ValueError:
        pass
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{value}"))


def downgrade():
    for table in PUBLISHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_hsds_id'))
            batch_op.drop_column('hsds_id')
    op.drop_table('contacts')

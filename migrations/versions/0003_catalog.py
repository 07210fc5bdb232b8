"""catalog

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 19:43:04.889112
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('power_search_terms',
    sa.Column('power_id', sa.Integer(), nullable=False),
    sa.Column('gram', sa.String(length=8), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['power_id'], ['powers.id'], name=op.f('fk_power_search_terms_power_id_powers')),
    sa.PrimaryKeyConstraint('power_id', 'gram', name=op.f('pk_power_search_terms'))
    )
    with op.batch_alter_table('power_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_power_search_terms_gram', ['gram', 'power_id'], unique=False)

    op.create_table('catalog_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('power_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('trigger_kind', sa.String(length=20), nullable=False),
    sa.Column('trigger_document', sa.String(length=300), nullable=False),
    sa.Column('trigger_published_on', sa.Date(), nullable=True),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('internal_bpmn', sa.Text(), nullable=True),
    sa.Column('external_bpmn', sa.Text(), nullable=True),
    sa.Column('review_case_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_catalog_changes_department_id_departments')),
    sa.ForeignKeyConstraint(['power_id'], ['powers.id'], name=op.f('fk_catalog_changes_power_id_powers')),
    sa.ForeignKeyConstraint(['review_case_id'], ['cases.id'], name=op.f('fk_catalog_changes_review_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_changes'))
    )
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_changes_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_changes_power_id'), ['power_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_changes_status'), ['status'], unique=False)

    op.create_table('power_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('power_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('internal_bpmn', sa.Text(), nullable=True),
    sa.Column('external_bpmn', sa.Text(), nullable=True),
    sa.Column('process_version_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['catalog_changes.id'], name=op.f('fk_power_versions_change_id_catalog_changes')),
    sa.ForeignKeyConstraint(['power_id'], ['powers.id'], name=op.f('fk_power_versions_power_id_powers')),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], name=op.f('fk_power_versions_process_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_versions')),
    sa.UniqueConstraint('power_id', 'number', name=op.f('uq_power_versions_power_id'))
    )
    with op.batch_alter_table('power_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_power_versions_power_id'), ['power_id'], unique=False)

    with op.batch_alter_table('powers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='published'))
        batch_op.add_column(sa.Column('secret', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.alter_column('process_key',
               existing_type=sa.VARCHAR(length=100),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_powers_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_powers_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_powers_status'), ['status'], unique=False)
        batch_op.drop_column('published')




def downgrade() -> None:

    with op.batch_alter_table('powers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published', sa.BOOLEAN(), nullable=False, server_default=sa.true()))
        batch_op.drop_index(batch_op.f('ix_powers_status'))
        batch_op.drop_index(batch_op.f('ix_powers_department_id'))
        batch_op.drop_index(batch_op.f('ix_powers_category'))
        batch_op.alter_column('process_key',
               existing_type=sa.VARCHAR(length=100),
               nullable=False)
        batch_op.drop_column('sequence')
        batch_op.drop_column('secret')
        batch_op.drop_column('status')

    with op.batch_alter_table('power_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_power_versions_power_id'))

    op.drop_table('power_versions')
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_changes_status'))
        batch_op.drop_index(batch_op.f('ix_catalog_changes_power_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_changes_department_id'))

    op.drop_table('catalog_changes')
    with op.batch_alter_table('power_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_power_search_terms_gram')

    op.drop_table('power_search_terms')


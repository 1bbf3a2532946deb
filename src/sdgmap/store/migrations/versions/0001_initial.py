"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 09:37:10.343669
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('entity', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('date_start', sa.String(length=10), nullable=True),
    sa.Column('date_end', sa.String(length=10), nullable=True),
    sa.Column('dates_text', sa.String(length=300), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('partners', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=1000), nullable=False),
    sa.Column('series_key', sa.String(length=300), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_series_key'), ['series_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_type'), ['type'], unique=False)
        batch_op.create_index('ix_activities_type_year', ['type', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_year'), ['year'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('entity', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('sha256', name=op.f('uq_documents_sha256'))
    )
    op.create_table('frameworks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('licence', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frameworks'))
    )
    op.create_table('review_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_events'))
    )
    with op.batch_alter_table('review_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_events_row_id'), ['row_id'], unique=False)

    op.create_table('activity_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=300), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_sources_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_activity_sources_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_sources')),
    sa.UniqueConstraint('activity_id', 'document_id', 'start', name=op.f('uq_activity_sources_activity_id_document_id_start'))
    )
    with op.batch_alter_table('activity_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_sources_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_sources_document_id'), ['document_id'], unique=False)

    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_mentions_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_mentions_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions'))
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentions_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_mentions_document_kind', ['document_id', 'kind'], unique=False)

    op.create_table('nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('short_title', sa.String(length=300), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_nodes_framework_id_frameworks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['nodes.id'], name=op.f('fk_nodes_parent_id_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nodes')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_nodes_framework_id_code'))
    )
    with op.batch_alter_table('nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nodes_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nodes_parent_id'), ['parent_id'], unique=False)

    op.create_table('activity_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('review', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by', sa.String(length=200), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('stated','derived','suggested','curated')", name=op.f('ck_activity_links_kind')),
    sa.CheckConstraint("review IN ('unverified','accepted','rejected','edited')", name=op.f('ck_activity_links_review')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_links_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_activity_links_document_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], name=op.f('fk_activity_links_node_id_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_links')),
    sa.UniqueConstraint('activity_id', 'node_id', 'kind', 'method', name=op.f('uq_activity_links_activity_id_node_id_kind_method'))
    )
    with op.batch_alter_table('activity_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_links_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_activity_links_node_kind', ['node_id', 'kind'], unique=False)

    op.create_table('links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('locator', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('asserted_by', sa.String(length=200), nullable=False),
    sa.Column('review', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('stated','derived','suggested','curated')", name=op.f('ck_links_kind')),
    sa.CheckConstraint("review IN ('unverified','accepted','rejected','edited')", name=op.f('ck_links_review')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_links_document_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_id'], ['nodes.id'], name=op.f('fk_links_from_id_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['nodes.id'], name=op.f('fk_links_to_id_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
    sa.UniqueConstraint('from_id', 'to_id', 'relation', 'kind', 'source', name=op.f('uq_links_from_id_to_id_relation_kind_source'))
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_links_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_links_origin'), ['origin'], unique=False)
        batch_op.create_index(batch_op.f('ix_links_to_id'), ['to_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_links_to_id'))
        batch_op.drop_index(batch_op.f('ix_links_origin'))
        batch_op.drop_index(batch_op.f('ix_links_from_id'))

    op.drop_table('links')
    with op.batch_alter_table('activity_links', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_links_node_kind')
        batch_op.drop_index(batch_op.f('ix_activity_links_activity_id'))

    op.drop_table('activity_links')
    with op.batch_alter_table('nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nodes_parent_id'))
        batch_op.drop_index(batch_op.f('ix_nodes_framework_id'))

    op.drop_table('nodes')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_document_kind')
        batch_op.drop_index(batch_op.f('ix_mentions_activity_id'))

    op.drop_table('mentions')
    with op.batch_alter_table('activity_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_sources_document_id'))
        batch_op.drop_index(batch_op.f('ix_activity_sources_activity_id'))

    op.drop_table('activity_sources')
    with op.batch_alter_table('review_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_events_row_id'))

    op.drop_table('review_events')
    op.drop_table('frameworks')
    op.drop_table('documents')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_year'))
        batch_op.drop_index('ix_activities_type_year')
        batch_op.drop_index(batch_op.f('ix_activities_type'))
        batch_op.drop_index(batch_op.f('ix_activities_series_key'))
        batch_op.drop_index(batch_op.f('ix_activities_entity'))

    op.drop_table('activities')
    

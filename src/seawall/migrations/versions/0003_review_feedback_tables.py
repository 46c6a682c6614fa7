"""review and feedback tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:01:13.789290
"""
from alembic import op
import sqlalchemy as sa
import seawall.storage.columns
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.String(length=36), nullable=True),
    sa.Column('queue', sa.String(length=100), nullable=True),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_item_id'), ['item_id'], unique=False)

    op.create_table('console_users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('queues', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
    sa.UniqueConstraint('username', name=op.f('uq_console_users_username'))
    )
    op.create_table('review_banked_media',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bank', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('hash', sa.String(length=128), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('sink', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('content_id', sa.String(length=300), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=True),
    sa.Column('verdict_id', sa.Integer(), nullable=True),
    sa.Column('moderator', sa.String(length=200), nullable=False),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_banked_media'))
    )
    with op.batch_alter_table('review_banked_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_banked_media_bank'), ['bank'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_banked_media_content_id'), ['content_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_banked_media_hash'), ['hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_banked_media_verdict_id'), ['verdict_id'], unique=False)

    op.create_table('review_labels',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('content_id', sa.String(length=300), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('media', sa.String(length=2000), nullable=True),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('labels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('provenance', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('verdict_id', sa.Integer(), nullable=True),
    sa.Column('sampled', sa.Boolean(), nullable=False),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_labels'))
    )
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_labels_content_id'), ['content_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_labels_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_labels_verdict_id'), ['verdict_id'], unique=False)

    op.create_table('console_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_console_sessions_user_id_console_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('review_appeals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('content_id', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.String(length=300), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reversal_decision_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_review_appeals_decision_id_decisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_appeals')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_review_appeals_decision_id'))
    )
    with op.batch_alter_table('review_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_appeals_content_id'), ['content_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_appeals_status'), ['status'], unique=False)

    op.create_table('review_shifts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('snoozed_until_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_review_shifts_user_id_console_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_shifts'))
    )
    with op.batch_alter_table('review_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_shifts_user_id'), ['user_id'], unique=False)

    op.create_table('review_claims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('moderator', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['review_items.id'], name=op.f('fk_review_claims_item_id_review_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_claims'))
    )
    with op.batch_alter_table('review_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_claims_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_claims_moderator'), ['moderator'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_claims_status'), ['status'], unique=False)

    op.create_table('review_exposures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('graphic', sa.Boolean(), nullable=False),
    sa.Column('revealed', sa.Boolean(), nullable=False),
    sa.Column('at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['review_shifts.id'], name=op.f('fk_review_exposures_shift_id_review_shifts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_exposures')),
    sa.UniqueConstraint('shift_id', 'item_id', name=op.f('uq_review_exposures_shift_id_item_id'))
    )
    with op.batch_alter_table('review_exposures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_exposures_shift_id'), ['shift_id'], unique=False)

    op.create_table('review_verdicts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('content_id', sa.String(length=300), nullable=False),
    sa.Column('queue', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('moderator', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('enforced_decision_id', sa.String(length=36), nullable=True),
    sa.Column('seconds', sa.Double(), nullable=True),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['review_claims.id'], name=op.f('fk_review_verdicts_claim_id_review_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_review_verdicts_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['review_items.id'], name=op.f('fk_review_verdicts_item_id_review_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_verdicts')),
    sa.UniqueConstraint('claim_id', name=op.f('uq_review_verdicts_claim_id'))
    )
    with op.batch_alter_table('review_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_verdicts_content_id'), ['content_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_verdicts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_verdicts_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_verdicts_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_verdicts_moderator'), ['moderator'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_verdicts_queue'), ['queue'], unique=False)

    op.create_table('review_qa',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('first_verdict_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('first_moderator', sa.String(length=200), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('queue', sa.String(length=100), nullable=False),
    sa.Column('second_verdict_id', sa.Integer(), nullable=True),
    sa.Column('second_moderator', sa.String(length=200), nullable=True),
    sa.Column('agreed', sa.Boolean(), nullable=True),
    sa.Column('created_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', seawall.storage.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['first_verdict_id'], ['review_verdicts.id'], name=op.f('fk_review_qa_first_verdict_id_review_verdicts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_qa')),
    sa.UniqueConstraint('first_verdict_id', name=op.f('uq_review_qa_first_verdict_id'))
    )
    with op.batch_alter_table('review_qa', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_qa_first_moderator'), ['first_moderator'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_qa_rule'), ['rule'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('review_qa', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_qa_rule'))
        batch_op.drop_index(batch_op.f('ix_review_qa_first_moderator'))

    op.drop_table('review_qa')
    with op.batch_alter_table('review_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_verdicts_queue'))
        batch_op.drop_index(batch_op.f('ix_review_verdicts_moderator'))
        batch_op.drop_index(batch_op.f('ix_review_verdicts_item_id'))
        batch_op.drop_index(batch_op.f('ix_review_verdicts_decision_id'))
        batch_op.drop_index(batch_op.f('ix_review_verdicts_created_at'))
        batch_op.drop_index(batch_op.f('ix_review_verdicts_content_id'))

    op.drop_table('review_verdicts')
    with op.batch_alter_table('review_exposures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_exposures_shift_id'))

    op.drop_table('review_exposures')
    with op.batch_alter_table('review_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_claims_status'))
        batch_op.drop_index(batch_op.f('ix_review_claims_moderator'))
        batch_op.drop_index(batch_op.f('ix_review_claims_item_id'))

    op.drop_table('review_claims')
    with op.batch_alter_table('review_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_shifts_user_id'))

    op.drop_table('review_shifts')
    with op.batch_alter_table('review_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_appeals_status'))
        batch_op.drop_index(batch_op.f('ix_review_appeals_content_id'))

    op.drop_table('review_appeals')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_console_sessions_expires_at'))

    op.drop_table('console_sessions')
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_labels_verdict_id'))
        batch_op.drop_index(batch_op.f('ix_review_labels_created_at'))
        batch_op.drop_index(batch_op.f('ix_review_labels_content_id'))

    op.drop_table('review_labels')
    with op.batch_alter_table('review_banked_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_banked_media_verdict_id'))
        batch_op.drop_index(batch_op.f('ix_review_banked_media_hash'))
        batch_op.drop_index(batch_op.f('ix_review_banked_media_content_id'))
        batch_op.drop_index(batch_op.f('ix_review_banked_media_bank'))

    op.drop_table('review_banked_media')
    op.drop_table('console_users')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_item_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')


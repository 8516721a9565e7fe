/*
 * The filesystems' error and journal helpers take __LINE__ in different
 * argument registers (ext4's in the 2nd or 3rd, xfs_error_report's in the
 * 5th): lines added above shift them, which is not a change.
 */
// EXPORTS: __ext4_error __ext4_journal_start_sb __ext4_journal_stop xfs_error_report __btrfs_abort_transaction
struct super_block;
extern void __ext4_error(struct super_block *sb, const char *function, unsigned int line,
			 _Bool force_ro, int error, unsigned long long block, const char *fmt, ...);
extern void *__ext4_journal_start_sb(struct super_block *sb, unsigned int line, int type,
				     int blocks, int rsv_blocks, int revoke_creds);
extern int __ext4_journal_stop(const char *where, unsigned int line, void *handle);
extern void xfs_error_report(const char *tag, int level, void *mp, const char *filename,
			     int linenum, void *failaddr);
extern void __btrfs_abort_transaction(void *trans, const char *function, unsigned int line,
				      int error, _Bool first_hit);

int ext4_thing(struct super_block *sb, int err)
{
#ifdef PATCHED
#line 500
#endif
	void *h = __ext4_journal_start_sb(sb, __LINE__, 1, 8, 0, 0);

	if (err)
		__ext4_error(sb, __func__, __LINE__, 0, err, 0, "thing failed %d", err);
	return __ext4_journal_stop(__func__, __LINE__, h);
}

void xfs_thing(void *mp, int bad)
{
	if (bad)
		xfs_error_report("xfs_thing", 1, mp, "fs-line.c", __LINE__, 0);
}

void btrfs_thing(void *trans, int error)
{
	if (error)
		__btrfs_abort_transaction(trans, __func__, __LINE__, error, 1);
}

/* Not lines: the credits argument, and a small "type" (6.12's line argument). */
int ext4_credits(struct super_block *sb)
{
#ifdef PATCHED
	return __ext4_journal_start_sb(sb, __LINE__, 2, 9, 0, 0) != 0;
#else
	return __ext4_journal_start_sb(sb, __LINE__, 2, 8, 0, 0) != 0;
#endif
}

int ext4_type(struct super_block *sb)
{
#ifdef PATCHED
	return __ext4_journal_start_sb(sb, __LINE__, 3, 8, 0, 0) != 0;
#else
	return __ext4_journal_start_sb(sb, __LINE__, 2, 8, 0, 0) != 0;
#endif
}

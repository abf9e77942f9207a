"""Words of the admin health page, in Chinese and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "系统健康状况", "sign_in": "管理员登录后查看", "username": "用户名",
        "password": "密码", "submit": "查看", "status_ok": "正常", "status_warning": "需要关注",
        "checked_at": "检查时间", "database": "数据库", "reachable": "可连接",
        "latency": "响应时间（毫秒）", "migrations": "数据库版本", "at_head": "已是最新",
        "not_at_head": "需要升级（alembic upgrade head）", "disk": "附件存储空间",
        "free": "可用空间", "total": "总空间", "warn_below": "告警阈值",
        "sync": "同步延迟", "oldest_xact": "最早未结束事务（秒）",
        "waiting": "等待下发的变更", "newest_change": "最新变更时间",
        "group": "设备组（角色）", "devices": "设备数", "behind": "未同步到最新",
        "least_recent": "最久未同步时间", "oldest_unacked": "最早未确认变更",
        "stale": "长期未联系的设备", "stale_days": "天数", "device": "设备",
        "user": "用户", "last_seen": "最后联系", "never": "从未", "none": "无",
        "conflicts": "待处理同步冲突", "open": "数量", "oldest_open": "最早产生于",
        "warnings": "提示", "lang_other": "English", "lang_other_code": "en",
    },
    "en": {
        "title": "System health", "sign_in": "Sign in as an admin to see it",
        "username": "Username", "password": "Password", "submit": "Show",
        "status_ok": "OK", "status_warning": "Needs attention", "checked_at": "Checked at",
        "database": "Database", "reachable": "Reachable", "latency": "Latency (ms)",
        "migrations": "Schema revision", "at_head": "up to date",
        "not_at_head": "needs an upgrade (alembic upgrade head)",
        "disk": "Disk for attachments", "free": "Free", "total": "Total",
        "warn_below": "Warn below", "sync": "Sync lag",
        "oldest_xact": "Oldest open transaction (s)", "waiting": "Changes held back",
        "newest_change": "Newest change", "group": "Device group (role)",
        "devices": "Devices", "behind": "Behind", "least_recent": "Least recent sync",
        "oldest_unacked": "Oldest unacknowledged change", "stale": "Devices gone quiet",
        "stale_days": "days", "device": "Device", "user": "User", "last_seen": "Last seen",
        "never": "never", "none": "none", "conflicts": "Open sync conflicts",
        "open": "Open", "oldest_open": "Oldest since", "warnings": "Warnings",
        "lang_other": "中文", "lang_other_code": "zh-CN",
    },
}

WARNINGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "migrations_pending": "数据库尚未升级到当前版本", "disk_low": "附件存储空间不足",
        "devices_not_seen": "有设备长期未联系", "sync_held_back": "长事务正在阻塞同步下发",
        "conflicts_open": "有同步冲突等待处理",
    },
    "en": {
        "migrations_pending": "The database is not at this release's schema",
        "disk_low": "Little disk space left for attachments",
        "devices_not_seen": "Some devices have not been seen for a while",
        "sync_held_back": "A long transaction is holding sync pulls back",
        "conflicts_open": "Sync conflicts are waiting for a person",
    },
}

"""Human titles for error codes, in Chinese and English, chosen by ``Accept-Language``.

The ``code`` is the contract clients branch on; the title is for the person holding
the phone. Chinese is the default: the people using Gridwork are court staff and
village assistants in China.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

SUPPORTED_LOCALES = ("zh-CN", "en")

TITLES: dict[str, tuple[str, str]] = {
    # code: (zh-CN, en)
    "bad_request": ("请求有误", "Bad request"),
    "validation_failed": ("提交的数据有误", "The submitted data is not valid"),
    "invalid_characters": (
        "包含无法保存的字符（NUL）", "Contains characters that cannot be stored (NUL)"
    ),
    "json_too_deep": ("JSON 嵌套层数过多", "The JSON is nested too deeply"),
    "json_too_large": ("JSON 中的条目过多", "The JSON has too many items"),
    "unknown_field": ("包含不允许的字段", "The request contains fields that cannot be set"),
    "unauthorized": ("需要登录", "Sign-in required"),
    "invalid_credentials": ("用户名或密码错误", "Wrong username or password"),
    "token_missing": ("缺少访问令牌", "Access token missing"),
    "token_invalid": ("访问令牌无效", "Access token is not valid"),
    "token_expired": ("访问令牌已过期，请刷新", "Access token expired; refresh it"),
    "token_revoked": ("会话已结束，请重新登录", "This session was ended; sign in again"),
    "refresh_token_invalid": ("刷新令牌无效", "Refresh token is not valid"),
    "refresh_token_expired": ("刷新令牌已过期，请重新登录", "Refresh token expired; sign in again"),
    "refresh_token_reused": (
        "刷新令牌被重复使用，该设备已退出登录",
        "Refresh token was used twice; the device has been signed out",
    ),
    "forbidden": ("无权执行此操作", "You may not do this"),
    "account_disabled": ("账号已停用", "This account is disabled"),
    "account_locked": (
        "密码错误次数过多，账号已暂时锁定",
        "Too many wrong passwords; the account is locked for now",
    ),
    "device_revoked": (
        "该设备已被停用，请清除本地数据", "This device was revoked; wipe its data"
    ),
    "device_registered_to_other_user": (
        "该设备已登记在其他用户名下", "This device is registered to another user"
    ),
    "not_found": ("未找到", "Not found"),
    "device_not_found": ("未找到该设备", "No such device"),
    "user_not_found": ("未找到该用户", "No such user"),
    "lead_not_found": ("未找到该线索", "No such lead"),
    "case_not_found": ("未找到该案件", "No such case"),
    "invalid_transition": ("线索当前状态不允许此操作", "The lead cannot move to that status now"),
    "transition_forbidden": ("您的角色无权进行此状态变更",
                             "Your role may not move a lead to that status"),
    "lead_not_editable": ("线索已进入审核，不能再修改",
                          "The lead is under review and can no longer be edited"),
    "lead_exists": ("该编号的线索已存在", "A lead with this id already exists"),
    "no_grid_assignment": ("您尚未分配网格，不能上报线索",
                           "You serve no village grid, so you cannot report leads"),
    "invalid_cursor": ("分页游标无效", "The page cursor is not valid"),
    "sighting_not_found": ("未找到该查人报告", "No such sighting"),
    "sighting_exists": ("该编号的查人报告已存在", "A sighting with this id already exists"),
    "mediation_note_not_found": ("未找到该调解记录", "No such mediation note"),
    "mediation_note_exists": ("该编号的调解记录已存在",
                              "A mediation note with this id already exists"),
    "mediation_note_settled": ("调解已达成和解，记录不能再修改",
                               "The mediation was agreed; the note can no longer be edited"),
    "instalments_do_not_add_up": ("分期金额之和与和解总额不符",
                                  "The instalments do not add up to the settlement total"),
    "settlement_not_found": ("未找到该和解协议", "No such settlement"),
    "settlement_not_active": ("该和解协议已履行完毕或已终止",
                              "The settlement is no longer active"),
    "instalment_not_found": ("未找到该期还款", "No such instalment"),
    "instalment_overpaid": ("付款金额超过该期应付金额",
                            "The payment is more than the instalment still expects"),
    "amount_owed_exceeded": ("执行到位金额不能超过申请执行金额",
                             "The case would recover more than it is owed"),
    "round_not_found": ("未找到该执行批次", "No such enforcement round"),
    "round_locked": ("该执行批次已锁定，不能重新排程",
                     "The round is locked; its plan can no longer change"),
    "round_not_planned": ("该执行批次尚未排程", "The round has not been planned yet"),
    "unknown_grid": ("未找到所选网格", "Some of the chosen grids do not exist"),
    "invalid_area": ("区域不是有效的多边形", "The area is not a valid polygon"),
    "task_not_found": ("未找到该任务", "No such task"),
    "task_not_open": ("该任务已关闭，不能再回复", "The task is closed to answers"),
    "task_answer_exists": ("该编号的回复已存在", "An answer with this id already exists"),
    "device_mismatch": ("只能从登录所用的设备同步", "Sync from the device you signed in with"),
    "field_server_owned": ("该字段由法院维护，手机端不能修改",
                           "This field is kept by the court and cannot be changed from a phone"),
    "constraint_violation": ("数据与已有记录冲突，未保存", "The change clashed with stored data"),
    "unknown_table": ("该数据表不支持同步", "This table is not synced"),
    "sync_pull_first": ("服务器上的记录已更新，请先同步拉取再提交",
                        "Records changed on the server since your last pull; pull, then push"),
    "sync_read_only": ("该数据表在手机上只读", "This table is read-only on phones"),
    "invalid_push": ("提交的同步数据格式不对", "The pushed changes are not valid"),
    "visit_exists": ("该编号的走访记录已存在", "A visit with this id already exists"),
    "conflict_not_found": ("未找到该同步冲突", "No such sync conflict"),
    "conflict_already_resolved": ("该同步冲突已处理", "This sync conflict was already resolved"),
    "conflict_resolution_invalid": ("该冲突不能用这种方式处理",
                                    "This conflict cannot be resolved that way"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "not_acceptable": ("无法提供所需格式", "Not acceptable"),
    "conflict": ("与现有数据冲突", "Conflicts with existing data"),
    "precondition_failed": (
        "数据已被他人修改，请刷新后重试", "The record changed; reload and retry"
    ),
    "precondition_required": ("修改时需要提供 If-Match", "If-Match is required for this change"),
    "payload_too_large": ("提交的内容过大", "The request body is too large"),
    "unsupported_media_type": ("不支持的内容类型", "Unsupported content type"),
    "too_many_requests": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
    "service_unavailable": ("服务暂不可用", "Service unavailable"),
    "database_unavailable": ("数据库暂不可用", "The database is unavailable"),
    "internal_error": ("服务器内部错误", "Internal server error"),
    "court_not_found": ("未找到该法院", "No such court"),
    "court_required": ("请指定法院", "Name the court"),
    "township_not_found": ("未找到该乡镇", "No such township"),
    "boundary_file_unreadable": ("无法读取边界文件（需为 GeoJSON 或 Shapefile）",
                                 "The boundary file is not a readable GeoJSON or Shapefile"),
    "boundary_file_empty": ("边界文件中没有任何要素", "The boundary file holds no features"),
    "boundary_field_missing": ("边界文件缺少名称或编码字段",
                               "The boundary file lacks the name or code field"),
    "boundary_field_empty": ("边界文件中有要素缺少名称或编码",
                             "Some features of the boundary file have no name or code"),
    "boundary_code_duplicate": ("边界文件中编码重复", "A code is used twice in the boundary file"),
    "boundary_not_polygons": ("边界文件中含有非多边形要素",
                              "The boundary file holds features that are not polygons"),
    "boundary_crs_unknown": ("边界文件的坐标系未知",
                             "The boundary file's coordinate system is unknown"),
    "tile_layer_not_found": ("没有该图层", "No such map layer"),
    "tile_out_of_range": ("瓦片编号超出范围", "No such tile: z, x or y out of range"),
    "demo_refused": ("数据库中已有正式数据，拒绝载入演示数据",
                     "The database holds real courts; the demo was not loaded"),
}

HTTP_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
    412: "precondition_failed", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_failed", 428: "precondition_required", 429: "too_many_requests",
    500: "internal_error", 503: "service_unavailable",
}


def request_locale() -> str:
    """The best supported locale for the current request, else the configured default."""
    default = current_app.config.get("DEFAULT_LOCALE", "zh-CN")
    if not has_request_context():
        return default
    match = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=None)
    if match is None:
        return default
    return "en" if match == "en" else "zh-CN"


def title_for(code: str, status: int, locale: str) -> str:
    titles = TITLES.get(code) or TITLES.get(HTTP_STATUS_CODES.get(status, "bad_request"))
    assert titles is not None
    return titles[1] if locale == "en" else titles[0]

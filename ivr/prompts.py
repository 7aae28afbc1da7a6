"""What the hotline says, in Mandarin by default; every text can be replaced by configuration.

Placeholders in braces are filled in when spoken ({number}, {code}, {state}). Nothing personal
is ever spoken or texted: no names, addresses or order content, only numbers and states.
"""
from __future__ import annotations

DEFAULT_PROMPTS: dict[str, str] = {
    "welcome": "您好，欢迎致电12345政务服务便民热线。",
    "menu": "人工服务请按1，查询工单办理进度请按2，留言请按3，直接说出您的诉求请按4，重听请按9。",
    "invalid_choice": "对不起，您的输入有误。",
    "no_choice_goodbye": "对不起，没有收到您的选择。感谢您的来电，再见。",
    "to_agent": "正在为您转接话务员，请稍候。",
    "call_back": "您好，这里是12345政务服务便民热线。您刚才的来电未能接通，现在为您回电，正在为您接通话务员。",
    "queue_position": "您前面还有{ahead}位来电在等待，预计等待约{minutes}分钟，请不要挂机。",
    "queue_next": "您是下一位，话务员马上为您服务，请不要挂机。",
    "queue_voicemail": "话务员仍然繁忙。请在提示音后留言，说明您的诉求和联系方式，按井号键结束，我们会尽快处理。",
    "transfer_missed": "对不起，转接的话务员暂时无法接听，请稍后再拨12345。再见。",
    "queue_hold": "请稍候，话务员正在为您查询。",
    "after_hours": "现在是非工作时间。请在提示音后留言，说明您的诉求和联系方式，按井号键结束。",
    "record": "请在提示音后留言，说明您的诉求，按井号键结束。",
    "speech": "请说出您的诉求，说完后请稍候。",
    "speech_not_heard": "对不起，没有听清您的诉求。",
    "speech_too_long": "对不起，您的诉求内容过长，请改为留言。",
    "order_created": "您的诉求已登记，工单编号是 {number}，查询码是 {code}。请记下编号和查询码，用于查询办理进度。感谢您的来电，再见。",
    "order_already_created": "您的诉求已登记，工单编号是 {number}。感谢您的来电，再见。",
    "recording_missing": "对不起，没有录到您的留言。",
    "query_number": "请输入13位工单编号，不含横线，以井号键结束。",
    "query_code": "请输入6位查询码，以井号键结束。",
    "query_wrong": "对不起，工单编号或查询码不正确。",
    "query_too_many": "对不起，查询尝试次数过多，请稍后再试或转人工服务。",
    "query_state": "您查询的工单目前的状态是：{state}。",
    "query_has_reply": "该工单已有答复，答复内容请登录网站查询或转人工服务。",
    "goodbye": "感谢您的来电，再见。",
    "apology": "对不起，系统暂时无法处理您的请求，请稍后再拨。再见。",
    "survey_intro": "您好，这里是12345政务服务便民热线回访。您反映的问题已办理完毕，请对办理结果进行评价。",
    "survey_satisfaction": "满意请按1，基本满意请按2，不满意请按3。",
    "survey_resolved": "您反映的问题是否已经解决？已解决请按1，未解决请按2。",
    "survey_invalid": "对不起，您的输入有误。",
    "survey_thanks": "感谢您的评价，再见。",
    "survey_no_answer": "没有收到您的评价，我们会再次联系您。再见。",
    "sms_created": "【12345热线】您的诉求已受理，工单编号{number}，查询码{code}。请妥善保存查询码，用于查询办理进度。",
    "sms_already_created": "【12345热线】您的短信已受理，工单编号{number}。查询码已在首次回复中发送。",
    "sms_empty": "【12345热线】请直接发送您的诉求内容。",
    "sms_too_long": "【12345热线】您的短信过长，请精简后重新发送，或致电12345。",
    "sms_apology": "【12345热线】对不起，系统暂时无法受理您的短信，请稍后再试或致电12345。",
    "sms_survey_question": "【12345热线】您反映的问题（工单{number}）已办理完毕。请回复两位数字评价：第一位为满意度（1满意 2基本满意 3不满意），第二位为是否解决（1已解决 2未解决），例如回复：1 1",
    "sms_survey_thanks": "【12345热线】感谢您的评价。",
}

# The order's state as a caller hears it (SPEC §3's Chinese names, phrased to be spoken).
SPOKEN_STATES: dict[str, str] = {
    "new": "待受理",
    "invalid": "不予受理",
    "merged": "已作为重复件合并办理",
    "answered": "已直接答复",
    "awaiting_instruction": "待领导批办",
    "dispatched": "已交办，待承办单位签收",
    "returned": "已退回热线重新交办",
    "in_progress": "承办单位办理中",
    "committed": "承诺办理中",
    "replied": "承办单位已回复",
    "reply_review": "承办单位已回复，热线正在审核",
    "under_review": "复核中",
    "archived": "已办结归档",
}


def spell_digits(text: str) -> str:
    """'20261122-00042' → '2 0 2 6 1 1 2 2 0 0 0 4 2': speech engines read digits one by one."""
    return " ".join(ch for ch in text if ch.isdigit())

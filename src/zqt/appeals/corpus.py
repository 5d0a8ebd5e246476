"""The synthetic routing corpus: realistic Chinese appeal texts per service board, generated
deterministically (seeded) from phrase templates. Written to data/routing_corpus.csv (reference
data, committed) by `zqt appeals_corpus`; the routing classifier trains on it plus past appeals.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_CSV = DATA_DIR / "routing_corpus.csv"
SEED = 2026
PER_BOARD = 200

OPENERS = [
    "我公司",
    "我司",
    "本企业",
    "我们企业",
    "我厂",
    "公司目前",
    "你好，我们公司",
    "您好，本公司",
]
CLOSERS = [
    "，请帮忙协调。",
    "，希望尽快解决。",
    "，请问怎么办理？",
    "，麻烦给个答复。",
    "。",
    "，急！",
    "，请相关部门给予支持。",
    "，盼复。",
]
PLACES = [
    "柯城区",
    "衢江区",
    "智造新城",
    "高新园区",
    "绿色产业集聚区",
    "航埠镇",
    "石梁镇",
    "白云街道",
]

BOARD_PHRASES: dict[str, list[str]] = {
    "intake": [
        "想咨询一下企业综合服务中心的办事流程",
        "不知道这个事情应该找哪个部门",
        "网上办事平台登录不上去",
        "想了解企业开办需要准备哪些材料",
        "请问窗口周末是否办公",
        "需要开具一份办事指南",
        "企业码扫码后信息显示不全",
        "想预约到中心现场咨询",
        "营业执照地址变更要去哪个窗口",
        "电子营业执照下载失败",
        "想问下有没有帮办代办服务",
        "办事材料不知道在哪里提交",
    ],
    "project": [
        "新建厂房项目施工许可迟迟没有批下来",
        "项目竣工联合验收需要协调多个部门",
        "用电报装排队时间太长",
        "用水用气报装进度慢影响投产",
        "项目环评审批需要加快",
        "规划许可证办理卡在审图环节",
        "中介超市选不到合适的测绘机构",
        "项目立项备案系统提示错误",
        "土地出让后不动产证办理缓慢",
        "消防验收多次不通过需要指导",
        "工业用地容积率调整审批",
        "厂区道路红线与规划不一致",
    ],
    "policy": [
        "去年申报的技改补助资金还没有兑付",
        "想了解今年的惠企政策有哪些",
        "研发费用加计扣除政策怎么享受",
        "专精特新奖励资金申报条件咨询",
        "政策兑付平台上申报被退回",
        "稳岗补贴什么时候发放",
        "免申即享的补贴没有到账",
        "首台套保险补偿政策咨询",
        "亩均效益评价结果对政策有影响吗",
        "小微企业房租减免政策咨询",
        "企业上规奖励申请流程",
        "数字化改造补助标准是多少",
    ],
    "finance": [
        "流动资金紧张需要银行贷款",
        "申请转贷资金帮助续贷",
        "想对接政府性融资担保",
        "银行抽贷压贷导致资金链紧张",
        "知识产权质押融资怎么办理",
        "希望对接产业基金投资",
        "应收账款融资渠道咨询",
        "贷款利率偏高希望协调",
        "上市辅导和股改需要支持",
        "供应链金融产品咨询",
        "担保费率能否降低",
        "票据贴现遇到困难",
    ],
    "talent": [
        "引进的博士人才认定申请",
        "高层次人才住房补贴申请",
        "员工子女入学需要协调",
        "外地员工落户手续咨询",
        "技能人才评价补贴申请",
        "招工难需要人社部门帮助对接",
        "人才公寓申请条件咨询",
        "员工社保转移接续问题",
        "人才医疗保健绿色通道预约",
        "大学生实习基地补贴",
        "劳动用工备案问题",
        "企业招聘会报名咨询",
    ],
    "legal": [
        "与供应商发生合同纠纷需要法律咨询",
        "想申请商事仲裁",
        "企业合规体系建设需要指导",
        "劳动争议仲裁案件咨询",
        "涉企公证业务怎么办理",
        "商标被抢注需要维权",
        "欠款追讨需要律师援助",
        "行政处罚决定有异议想申请复议",
        "知识产权侵权纠纷",
        "企业股权纠纷调解",
        "合同模板法律审查",
        "破产重整程序咨询",
    ],
    "innovation": [
        "想和高校开展产学研合作",
        "高新技术企业认定申报辅导",
        "科技型中小企业评价入库",
        "研发中心建设需要技术对接",
        "科技成果转化项目申报",
        "孵化器入驻申请",
        "专利申请加快审查",
        "科技创新券使用咨询",
        "省级企业研究院申报条件",
        "需要对接检测认证平台",
        "新产品技术鉴定",
        "技术合同登记办理",
    ],
    "opening": [
        "想参加境外展会希望获得补助",
        "出口退税办理进度慢",
        "外贸订单受汇率波动影响需要避险指导",
        "海外仓建设咨询",
        "企业走出去涉外法律援助",
        "外籍员工出入境签证办理",
        "跨境电商备案流程",
        "进口设备通关遇到问题",
        "原产地证书办理",
        "遭遇海外贸易壁垒需要应对",
        "外资企业设立咨询",
        "出口信用保险投保",
    ],
    "data": [
        "希望开放企业用能公共数据",
        "申请使用公共数据开展应用开发",
        "企业数据资产登记咨询",
        "政企数据融合应用对接",
        "公共数据开放目录里找不到需要的数据",
        "数据安全合规评估",
        "需要调用不动产登记数据接口",
        "企业上云用数赋智咨询",
        "数据出境安全评估申报",
        "数据共享接口调用失败",
        "工业互联网平台数据对接",
        "数字化车间建设数据标准",
    ],
    "appeals": [
        "多次反映的问题一直没有解决",
        "投诉某部门工作人员推诿扯皮",
        "之前的诉求办理结果不满意",
        "对执法检查过于频繁有意见",
        "拖欠工程款久拖不决",
        "多个部门之间互相推诿",
        "企业门口道路长期破损无人管",
        "邻近企业噪音扰民多次投诉无果",
        "历史遗留问题需要兜底解决",
        "对审批结果有异议要求复核",
        "反映涉企乱收费问题",
        "营商环境问题举报",
    ],
    "local": [
        "氟化工园区危化品运输通行协调",
        "特种纸产业链上下游配套对接",
        "空气动力机械产业集群服务",
        "园区标准厂房租赁",
        "集聚区污水管网接入",
        "园区企业员工通勤班车",
        "新材料产业链共性技术需求",
        "园区食堂和宿舍配套不足",
        "特色小镇入驻政策",
        "园区蒸汽供应价格偏高",
        "产业链链主企业配套需求",
        "园区物流仓储用地需求",
    ],
}


def _text(rng: random.Random, phrase: str) -> str:
    parts = [rng.choice(OPENERS)]
    if rng.random() < 0.4:
        parts.append(f"位于{rng.choice(PLACES)}，")
    parts.append(phrase)
    if rng.random() < 0.3:
        parts.append(f"，已经{rng.randint(2, 30)}天了")
    parts.append(rng.choice(CLOSERS))
    return "".join(parts)


def generate(*, per_board: int = PER_BOARD, seed: int = SEED) -> list[tuple[str, str, str]]:
    """(text, board_code, phrase group) rows; the same arguments give the same rows. The group
    names the underlying phrase, so a held-out split can keep whole phrasings unseen."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    for board, phrases in BOARD_PHRASES.items():
        for _ in range(per_board):
            index = rng.randrange(len(phrases))
            rows.append((_text(rng, phrases[index]), board, f"{board}-{index}"))
    rng.shuffle(rows)
    return rows


def write_csv(path: Path = CORPUS_CSV) -> int:
    rows = generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "board", "group"])
        writer.writerows(rows)
    return len(rows)


def read_csv(path: Path = CORPUS_CSV) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [(row["text"], row["board"], row["group"]) for row in csv.DictReader(fh)]

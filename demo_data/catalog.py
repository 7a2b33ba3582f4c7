"""Fixed vocabularies for the demo data: industrial belts, names, places.

The belts are the ones the source articles name (广州女装, 汕头内衣, 中山照明,
东莞小家电, 南通家纺, 佛山瓷砖, the ground teams in 深圳, 广州, 东莞, 金华,
温州, the Shanghai food factory, the Jinan snow-machine maker, the Zhejiang
sock maker) plus well-known belts of the same kind, to reach the ~40
production-area centres (产地中心) of the real programme.
"""

from collections import namedtuple

Belt = namedtuple(
    "Belt",
    "code name_zh name_en province city industry_zh industry_en "
    "districts suffixes products weight aov_cny dropship season",
)

# season: a month-of-year profile key (see sales.SEASON_PROFILES).
# aov_cny: typical wholesale order value; dropship: share of 一件代发 orders.
BELTS = [
    Belt("GZ-WOMENSWEAR", "广州女装", "Guangzhou womenswear", "广东", "广州", "女装", "Womenswear",
         ["白云区", "番禺区", "海珠区", "花都区"], ["服饰有限公司", "制衣有限公司", "服装有限公司"],
         ["连衣裙", "针织开衫", "阔腿裤", "衬衫", "羽绒服"], 10, 420, 0.42, "apparel"),
    Belt("YW-COMMODITIES", "义乌小商品", "Yiwu small commodities", "浙江", "义乌",
         "日用小商品", "Small commodities",
         ["稠城街道", "北苑街道", "佛堂镇", "苏溪镇"], ["日用品有限公司", "工艺品有限公司", "饰品有限公司"],
         ["发夹", "收纳盒", "节日装饰", "钥匙扣", "保温杯"], 10, 260, 0.48, "gifts"),
    Belt("DG-APPLIANCES", "东莞小家电", "Dongguan small appliances", "广东", "东莞",
         "小家电", "Small appliances",
         ["长安镇", "虎门镇", "厚街镇", "塘厦镇"], ["电器有限公司", "电子科技有限公司", "智能科技有限公司"],
         ["迷你风扇", "加湿器", "电热水壶", "榨汁杯", "暖手宝"], 8, 680, 0.30, "appliances"),
    Belt("SZ-ELECTRONICS", "深圳电子", "Shenzhen electronics", "广东", "深圳",
         "消费电子", "Consumer electronics",
         ["宝安区", "龙华区", "龙岗区", "南山区"], ["电子科技有限公司", "数码科技有限公司", "科技有限公司"],
         ["蓝牙耳机", "充电宝", "数据线", "智能手表", "补光灯"], 9, 900, 0.35, "electronics"),
    Belt("JJ-SHOES", "晋江鞋服", "Jinjiang shoes and sportswear", "福建", "晋江",
         "运动鞋服", "Sports shoes and apparel",
         ["陈埭镇", "池店镇", "青阳街道", "安海镇"], ["鞋业有限公司", "体育用品有限公司", "鞋服有限公司"],
         ["跑步鞋", "板鞋", "运动短裤", "拖鞋", "卫衣"], 7, 760, 0.33, "apparel"),
    Belt("ST-TOYS", "汕头玩具", "Shantou toys", "广东", "汕头", "玩具", "Toys",
         ["澄海区", "龙湖区", "金平区"], ["玩具实业有限公司", "玩具有限公司", "塑胶玩具厂"],
         ["遥控车", "积木", "毛绒玩具", "过家家玩具", "益智拼图"], 7, 540, 0.38, "toys"),
    Belt("FS-FURNITURE", "佛山家具", "Foshan furniture", "广东", "佛山", "家具", "Furniture",
         ["顺德区", "南海区", "禅城区"], ["家具有限公司", "家居制造有限公司", "家私有限公司"],
         ["布艺沙发", "岩板餐桌", "电脑椅", "床头柜", "儿童床"], 6, 2600, 0.12, "furniture"),
    Belt("ST-UNDERWEAR", "汕头内衣", "Shantou underwear", "广东", "汕头", "内衣", "Underwear",
         ["潮阳区", "潮南区", "谷饶镇"], ["内衣有限公司", "针织有限公司", "服饰有限公司"],
         ["无痕内衣", "文胸", "家居服", "保暖内衣", "睡衣"], 6, 380, 0.45, "apparel"),
    Belt("ZS-LIGHTING", "中山照明", "Zhongshan lighting", "广东", "中山", "照明灯具", "Lighting",
         ["古镇镇", "横栏镇", "小榄镇"], ["灯饰有限公司", "照明科技有限公司", "光电有限公司"],
         ["吸顶灯", "LED灯带", "台灯", "吊灯", "太阳能庭院灯"], 6, 980, 0.22, "lighting"),
    Belt("NT-HOMETEXTILES", "南通家纺", "Nantong home textiles", "江苏", "南通",
         "家纺", "Home textiles",
         ["通州区", "海门区", "川姜镇"], ["家纺有限公司", "纺织品有限公司", "床上用品有限公司"],
         ["四件套", "牛奶绒被", "乳胶枕", "凉席", "毛巾"], 6, 520, 0.40, "textiles"),
    Belt("FS-TILES", "佛山瓷砖", "Foshan tiles", "广东", "佛山", "瓷砖", "Tiles",
         ["南海区", "禅城区", "三水区"], ["陶瓷有限公司", "建材有限公司", "瓷砖有限公司"],
         ["大板瓷砖", "仿古砖", "木纹砖", "马赛克", "岩板"], 5, 3200, 0.05, "building"),
    Belt("WZ-SHOES", "温州鞋业", "Wenzhou shoes", "浙江", "温州", "皮鞋", "Leather shoes",
         ["鹿城区", "瓯海区", "瑞安市"], ["鞋业有限公司", "鞋材有限公司", "皮鞋厂"],
         ["男士皮鞋", "乐福鞋", "女单鞋", "切尔西靴", "童鞋"], 6, 820, 0.28, "apparel"),
    Belt("ZJ-SOCKS", "诸暨袜业", "Zhuji socks", "浙江", "诸暨", "袜子", "Socks",
         ["大唐街道", "枫桥镇", "店口镇"], ["袜业有限公司", "针织有限公司", "纺织有限公司"],
         ["雪地袜", "船袜", "连裤袜", "运动袜", "加绒袜"], 5, 300, 0.46, "apparel"),
    Belt("SH-FOOD", "上海烘焙食品", "Shanghai bakery and food", "上海", "上海",
         "烘焙食品", "Bakery and food",
         ["松江区", "嘉定区", "奉贤区", "青浦区"], ["食品有限公司", "食品工业有限公司", "烘焙有限公司"],
         ["曲奇饼干", "月饼", "蛋黄酥", "坚果礼盒", "吐司面包"], 5, 640, 0.30, "food"),
    Belt("JN-MACHINERY", "济南环保设备", "Jinan snow and fog machines", "山东", "济南",
         "造雪机与炮雾机", "Snow and fog machines",
         ["历城区", "章丘区", "天桥区"], ["环保设备有限公司", "机械有限公司", "环保科技有限公司"],
         ["造雪机", "炮雾机", "喷雾降尘设备", "雾森系统", "冷雾机"], 3, 18000, 0.02, "snow"),
    Belt("JH-HARDWARE", "金华五金", "Jinhua hardware", "浙江", "金华", "五金工具", "Hardware and tools",
         ["永康市", "武义县", "婺城区"], ["工贸有限公司", "五金制品有限公司", "工具有限公司"],
         ["电钻", "保温杯", "电动螺丝刀", "不锈钢锅", "园林剪"], 6, 720, 0.25, "hardware"),
    Belt("DG-KNITWEAR", "东莞毛织", "Dongguan knitwear", "广东", "东莞", "毛织", "Knitwear",
         ["大朗镇", "寮步镇", "黄江镇"], ["毛织有限公司", "制衣有限公司", "针织有限公司"],
         ["羊毛衫", "针织开衫", "毛衣裙", "围巾", "针织帽"], 5, 460, 0.36, "winter"),
    Belt("HZ-WOMENSWEAR", "杭州女装", "Hangzhou womenswear", "浙江", "杭州", "女装", "Womenswear",
         ["上城区", "临平区", "余杭区"], ["服饰有限公司", "服装有限公司", "时装有限公司"],
         ["真丝衬衫", "大衣", "半身裙", "西装外套", "旗袍"], 6, 560, 0.40, "apparel"),
    Belt("ZL-KIDSWEAR", "织里童装", "Zhili childrenswear", "浙江", "湖州", "童装", "Childrenswear",
         ["织里镇", "吴兴区"], ["童装有限公司", "服饰有限公司", "制衣厂"],
         ["儿童卫衣", "连衣裙", "儿童羽绒服", "校服", "爬服"], 5, 380, 0.44, "apparel"),
    Belt("CX-HANFU", "曹县汉服", "Caoxian hanfu", "山东", "菏泽", "汉服", "Hanfu",
         ["曹县", "大集镇"], ["服饰有限公司", "汉服文化有限公司", "演出服饰有限公司"],
         ["马面裙", "汉服套装", "演出服", "儿童汉服", "披风"], 3, 330, 0.50, "apparel"),
    Belt("BG-LUGGAGE", "白沟箱包", "Baigou luggage", "河北", "保定", "箱包", "Luggage and bags",
         ["白沟新城", "高碑店市"], ["箱包有限公司", "皮具有限公司", "箱包厂"],
         ["拉杆箱", "双肩包", "托特包", "腰包", "化妆包"], 5, 480, 0.38, "gifts"),
    Belt("CZ-CERAMICS", "潮州陶瓷", "Chaozhou ceramics", "广东", "潮州", "陶瓷餐具", "Ceramic tableware",
         ["枫溪区", "湘桥区", "饶平县"], ["陶瓷有限公司", "瓷业有限公司", "陶瓷制品厂"],
         ["陶瓷碗碟", "茶具套装", "马克杯", "日式汤匙", "花瓶"], 5, 520, 0.32, "gifts"),
    Belt("YJ-KNIVES", "阳江刀剪", "Yangjiang knives", "广东", "阳江", "刀剪", "Knives and scissors",
         ["江城区", "阳东区"], ["刀剪有限公司", "五金制品有限公司", "实业有限公司"],
         ["菜刀", "厨房剪", "水果刀", "刀具套装", "指甲钳"], 4, 410, 0.34, "hardware"),
    Belt("DH-CERAMICS", "德化陶瓷", "Dehua porcelain crafts", "福建", "泉州", "陶瓷工艺品", "Porcelain crafts",
         ["德化县", "浔中镇"], ["陶瓷有限公司", "工艺品有限公司", "瓷业有限公司"],
         ["白瓷茶具", "香薰炉", "瓷雕摆件", "杯子", "花器"], 3, 600, 0.30, "gifts"),
    Belt("SS-CASUALWEAR", "石狮休闲服装", "Shishi casualwear", "福建", "石狮", "休闲服装", "Casualwear",
         ["灵秀镇", "宝盖镇", "蚶江镇"], ["服饰有限公司", "服装有限公司", "制衣有限公司"],
         ["休闲裤", "夹克", "T恤", "冲锋衣", "POLO衫"], 5, 450, 0.38, "apparel"),
    Belt("HN-LEATHER", "海宁皮革", "Haining leather", "浙江", "嘉兴", "皮革皮草", "Leather and fur",
         ["海宁市", "许村镇"], ["皮革有限公司", "皮草服饰有限公司", "皮业有限公司"],
         ["皮衣", "皮草外套", "皮带", "皮手套", "真皮钱包"], 4, 1100, 0.20, "winter"),
    Belt("TX-KNITWEAR", "桐乡毛衫", "Tongxiang sweaters", "浙江", "嘉兴", "羊毛衫", "Sweaters",
         ["濮院镇", "桐乡市"], ["羊毛衫有限公司", "针织服饰有限公司", "毛衫厂"],
         ["羊绒衫", "毛衣", "针织背心", "开衫", "毛线裤"], 5, 500, 0.36, "winter"),
    Belt("DY-EYEWEAR", "丹阳眼镜", "Danyang eyewear", "江苏", "丹阳", "眼镜", "Eyewear",
         ["司徒镇", "云阳街道"], ["眼镜有限公司", "光学有限公司", "眼镜制造有限公司"],
         ["近视镜架", "太阳镜", "老花镜", "防蓝光眼镜", "镜片"], 4, 390, 0.42, "gifts"),
    Belt("SZ-FABRICS", "盛泽面料", "Shengze fabrics", "江苏", "苏州", "面料", "Fabrics",
         ["盛泽镇", "吴江区"], ["纺织有限公司", "丝绸有限公司", "织造有限公司"],
         ["雪纺面料", "春亚纺", "真丝面料", "牛津布", "涤纶布"], 4, 2100, 0.04, "textiles"),
    Belt("LY-WOOD", "临沂板材", "Linyi wood panels", "山东", "临沂", "板材木业", "Wood panels",
         ["兰山区", "费县", "义堂镇"], ["木业有限公司", "板材有限公司", "新材料有限公司"],
         ["生态板", "多层板", "实木颗粒板", "LVL木方", "包装板"], 4, 4200, 0.03, "building"),
    Belt("NK-FURNITURE", "南康家具", "Nankang furniture", "江西", "赣州", "实木家具", "Solid-wood furniture",
         ["南康区", "龙岭镇"], ["家具有限公司", "木业有限公司", "家居有限公司"],
         ["实木床", "餐桌椅", "书柜", "茶几", "衣柜"], 4, 2800, 0.10, "furniture"),
    Belt("PX-KIDSBIKES", "平乡童车", "Pingxiang kids' bikes", "河北", "邢台", "童车", "Kids' bikes and strollers",
         ["平乡县", "河古庙镇"], ["童车有限公司", "自行车有限公司", "玩具有限公司"],
         ["儿童自行车", "平衡车", "婴儿推车", "滑板车", "扭扭车"], 4, 880, 0.30, "toys"),
    Belt("QH-CASHMERE", "清河羊绒", "Qinghe cashmere", "河北", "邢台", "羊绒", "Cashmere",
         ["清河县", "葛仙庄镇"], ["羊绒制品有限公司", "纺织有限公司", "绒业有限公司"],
         ["羊绒围巾", "羊绒衫", "羊绒纱线", "羊绒大衣", "披肩"], 3, 760, 0.28, "winter"),
    Belt("XC-WIGS", "许昌假发", "Xuchang wigs", "河南", "许昌", "假发", "Wigs",
         ["建安区", "魏都区"], ["发制品有限公司", "假发有限公司", "工艺品有限公司"],
         ["真发头套", "接发片", "刘海片", "Cosplay假发", "发包"], 3, 690, 0.40, "gifts"),
    Belt("SZ-TIES", "嵊州领带", "Shengzhou ties", "浙江", "绍兴", "领带", "Neckties",
         ["嵊州市", "三江街道"], ["领带服饰有限公司", "服饰有限公司", "织造有限公司"],
         ["真丝领带", "领结", "口袋巾", "团体领带", "围巾"], 2, 420, 0.30, "gifts"),
    Belt("PN-UNDERWEAR", "普宁家居服", "Puning homewear", "广东", "揭阳", "家居服", "Homewear",
         ["普宁市", "流沙街道"], ["纺织有限公司", "服饰有限公司", "制衣厂"],
         ["睡衣套装", "家居服", "浴袍", "背心", "内裤"], 4, 340, 0.44, "apparel"),
    Belt("SD-APPLIANCES", "顺德小家电", "Shunde home appliances", "广东", "佛山", "厨房小家电",
         "Kitchen appliances",
         ["顺德区", "北滘镇", "容桂街道"], ["电器有限公司", "电器制造有限公司", "智能家居有限公司"],
         ["空气炸锅", "电饭煲", "破壁机", "电烤箱", "煎烤机"], 5, 950, 0.26, "appliances"),
    Belt("YK-HARDWARE", "永康五金", "Yongkang hardware", "浙江", "永康", "五金", "Hardware",
         ["经济开发区", "古山镇"], ["工贸有限公司", "五金有限公司", "工具有限公司"],
         ["防盗门", "电动工具", "保温杯", "炒锅", "电动车配件"], 4, 860, 0.22, "hardware"),
    Belt("CS-APPAREL", "常熟服装", "Changshu apparel", "江苏", "常熟", "服装", "Apparel",
         ["招商城", "古里镇", "支塘镇"], ["服饰有限公司", "服装有限公司", "羽绒制品有限公司"],
         ["羽绒服", "夹克", "休闲裤", "棉服", "卫衣"], 5, 520, 0.38, "winter"),
    Belt("NB-STATIONERY", "宁波文具", "Ningbo stationery", "浙江", "宁波", "文具", "Stationery",
         ["宁海县", "北仑区", "鄞州区"], ["文具有限公司", "办公用品有限公司", "塑料制品有限公司"],
         ["中性笔", "笔记本", "文件夹", "修正带", "书包"], 4, 360, 0.40, "school"),
]

# The belts the demo scale uses, in this order (SPEC section 2's examples).
DEMO_BELT_CODES = [
    "GZ-WOMENSWEAR", "YW-COMMODITIES", "DG-APPLIANCES", "SZ-ELECTRONICS",
    "JJ-SHOES", "ST-TOYS", "FS-FURNITURE", "SH-FOOD",
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段"
    "雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲丹萍鹏飞海燕宇晨"
    "雪琳浩凯婷颖欣佳俊志国红梅兰波斌鑫昊子涵梓轩思雨雅倩瑶怡嘉豪博文锐晓东"
)

# Two-character trade names (字号) for company names.
BRAND_CHARS = (
    "锦华鑫盛宏达顺美佳恒泰兴源丰瑞诚信隆昌富嘉创博新辉宇星腾凯天永金通祥德汇"
    "利和众聚宝益正中润森康雅尚优品致远航骏奥联晟弘铭卓越翔伟彩虹"
)

STREETS = ("工业大道", "兴业路", "创业路", "科技路", "民营路", "发展大道", "富民路",
           "长江路", "环城北路", "人民东路", "建设路", "振兴路", "新风路", "工业园三路")

# Landline area codes by city, for plausible factory phone numbers.
AREA_CODES = {
    "广州": "020", "义乌": "0579", "东莞": "0769", "深圳": "0755", "晋江": "0595",
    "汕头": "0754", "佛山": "0757", "中山": "0760", "南通": "0513", "温州": "0577",
    "诸暨": "0575", "上海": "021", "济南": "0531", "金华": "0579", "杭州": "0571",
    "湖州": "0572", "菏泽": "0530", "保定": "0312", "潮州": "0768",
    "阳江": "0662", "泉州": "0595", "石狮": "0595", "嘉兴": "0573", "丹阳": "0511",
    "苏州": "0512", "临沂": "0539", "赣州": "0797", "邢台": "0319", "许昌": "0374",
    "绍兴": "0575", "揭阳": "0663", "永康": "0579", "常熟": "0512", "宁波": "0574",
}

CHURN_REASON_NOTES = {
    "low_roi": "一年下来平台成交不到年费的几倍，老板觉得不划算",
    "fee_too_high": "10.68万的年费压力太大，想先降回诚信通看看",
    "traffic": "交了钱之后流量没起来，询盘反而比去年少",
    "service": "觉得交完钱之后没人管，问题反馈了很久没解决",
    "business_closed": "工厂转产/停产，今年不做线上批发了",
    "competitor": "主要精力转去抖音、拼多多的工厂店",
    "other": "老板暂时不考虑续费，后续再跟进",
}

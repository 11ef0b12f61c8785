//! Names for the synthetic city: Chongqing's 38 real districts and
//! counties (public facts: name, division code, approximate seat), and
//! invented township and operator names.
//!
//! Only the districts are real. Township names are built from common
//! place-name syllables and match real places only by chance; the
//! operator names are invented.

/// A real district or county of Chongqing: its name, six-digit division
/// code and the approximate lon/lat of its seat (to a few kilometres).
pub struct District {
    pub name: &'static str,
    pub code: u32,
    pub seat: (f64, f64),
}

const fn d(name: &'static str, code: u32, lon: f64, lat: f64) -> District {
    District {
        name,
        code,
        seat: (lon, lat),
    }
}

/// The 26 districts and 12 counties of Chongqing (2024).
pub const DISTRICTS: [District; 38] = [
    d("渝中区", 500103, 106.57, 29.55),
    d("万州区", 500101, 108.38, 30.81),
    d("涪陵区", 500102, 107.39, 29.70),
    d("大渡口区", 500104, 106.48, 29.48),
    d("江北区", 500105, 106.57, 29.61),
    d("沙坪坝区", 500106, 106.46, 29.54),
    d("九龙坡区", 500107, 106.51, 29.50),
    d("南岸区", 500108, 106.56, 29.52),
    d("北碚区", 500109, 106.40, 29.81),
    d("綦江区", 500110, 106.65, 29.03),
    d("大足区", 500111, 105.72, 29.71),
    d("渝北区", 500112, 106.63, 29.72),
    d("巴南区", 500113, 106.54, 29.40),
    d("黔江区", 500114, 108.77, 29.53),
    d("长寿区", 500115, 107.08, 29.86),
    d("江津区", 500116, 106.26, 29.29),
    d("合川区", 500117, 106.28, 29.97),
    d("永川区", 500118, 105.93, 29.36),
    d("南川区", 500119, 107.10, 29.16),
    d("璧山区", 500120, 106.23, 29.59),
    d("铜梁区", 500151, 106.06, 29.84),
    d("潼南区", 500152, 105.84, 30.19),
    d("荣昌区", 500153, 105.59, 29.40),
    d("开州区", 500154, 108.39, 31.16),
    d("梁平区", 500155, 107.80, 30.67),
    d("武隆区", 500156, 107.76, 29.33),
    d("城口县", 500229, 108.66, 31.95),
    d("丰都县", 500230, 107.73, 29.86),
    d("垫江县", 500231, 107.35, 30.33),
    d("忠县", 500233, 108.04, 30.30),
    d("云阳县", 500235, 108.70, 30.93),
    d("奉节县", 500236, 109.46, 31.02),
    d("巫山县", 500237, 109.88, 31.07),
    d("巫溪县", 500238, 109.63, 31.40),
    d("石柱土家族自治县", 500240, 108.11, 30.00),
    d("秀山土家族苗族自治县", 500241, 108.99, 28.45),
    d("酉阳土家族苗族自治县", 500242, 108.77, 28.84),
    d("彭水苗族土家族自治县", 500243, 108.17, 29.29),
];

/// Index into [`DISTRICTS`] of the main urban centre (渝中区).
pub const MAIN_CENTRE: usize = 0;

/// Secondary urban centres: indices into [`DISTRICTS`].
pub const SECONDARY_CENTRES: [usize; 8] = [1, 2, 13, 14, 15, 16, 17, 23];

/// Expressway-like corridors between district seats (indices into
/// [`DISTRICTS`]); stations cluster along them.
pub const CORRIDORS: [&[usize]; 7] = [
    &[0, 11, 14, 28, 24, 1], // main city → 长寿 → 垫江 → 梁平 → 万州
    &[0, 2, 25, 37, 13],     // main city → 涪陵 → 武隆 → 彭水 → 黔江
    &[0, 19, 17, 22],        // main city → 璧山 → 永川 → 荣昌
    &[0, 8, 16, 21],         // main city → 北碚 → 合川 → 潼南
    &[0, 12, 9],             // main city → 巴南 → 綦江
    &[1, 30, 31, 32],        // 万州 → 云阳 → 奉节 → 巫山
    &[13, 36, 35],           // 黔江 → 酉阳 → 秀山
];

/// First characters of invented township names.
pub const NAME_FIRST: [&str; 48] = [
    "龙", "青", "白", "石", "金", "玉", "长", "新", "双", "清", "大", "小", "高", "安", "太", "平",
    "永", "福", "兴", "马", "凤", "云", "黄", "红", "桃", "柏", "松", "竹", "梅", "明", "东", "西",
    "南", "北", "上", "下", "中", "宝", "古", "天", "三", "五", "万", "朝", "鹤", "桂", "铁", "河",
];

/// Second characters of invented township names.
pub const NAME_SECOND: [&str; 40] = [
    "溪", "山", "坝", "岭", "桥", "坪", "湾", "江", "河", "口", "塘", "林", "峰", "门", "田", "滩",
    "场", "沟", "寺", "池", "水", "岩", "阳", "丰", "兴", "安", "和", "华", "盛", "观", "洞", "垭",
    "沱", "堡", "台", "园", "庙", "湖", "泉", "洲",
];

/// Invented charging operators (no real company is meant).
pub const OPERATORS: [&str; 6] = [
    "Bayu Charging",
    "Shancheng EV",
    "Jialing Power",
    "Yuzhou Charge",
    "Hongya Energy",
    "Liangjiang e-Mobility",
];

//! `--where`: which records of a feed count, in the spirit of
//! `ogr2ogr -where` (SQL): `status = 'operational' and access in ('public',
//! 'yes')`, `power_kw >= 50`, `not (kind = 'AC')`, `operator is not null`,
//! `"Art der Ladeeinrichtung" = 'Schnellladeeinrichtung'`.
//!
//! Names are bare (`power_kw`, `socket:type2:output`, `evses[].status`) or
//! in double quotes (`"P1 [kW]"`); text is in single quotes (`''` for a
//! quote); numbers as usual; `true`, `false`, `null`. Keywords (`and`,
//! `or`, `not`, `in`, `is`, `null`, `exists`) ignore case.
//!
//! A comparison with a missing or `null` value is false (so `x != 1` does
//! not keep records without `x`; `x is null or x != 1` does). A number
//! compares with numbers and with text that is a number (CSV cells are
//! text); text compares with text, numbers written as text without a
//! trailing `.0`. A path through an array (`evses[].status = 'AVAILABLE'`)
//! holds when any value it reaches does.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::feed::path::{FieldPath, KeyPattern};

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    text: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// Every term holds (a chain of any length is one node: no recursion
    /// per term when it is evaluated or dropped).
    And(Vec<Expr>),
    /// Some term holds.
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare(FieldPath, Op, Literal),
    In(FieldPath, Vec<Literal>),
    /// `x is not null`, `exists(x)`.
    Exists(FieldPath),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Number(f64),
    Text(String),
    Bool(bool),
}

/// Why an expression cannot be read: what was expected, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The expression as given.
    pub text: String,
    /// Byte offset of the problem.
    pub at: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read the filter {:?}: {} (at character {})",
            self.text,
            self.reason,
            self.at + 1
        )
    }
}

impl std::error::Error for FilterError {}

impl Filter {
    /// Parses an expression.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let tokens = lex(text)?;
        let mut parser = Parser {
            text,
            tokens,
            pos: 0,
            depth: 0,
        };
        let expr = parser.or()?;
        if let Some((at, token)) = parser.tokens.get(parser.pos) {
            return Err(parser.fail(
                *at,
                format!("unexpected {token} after a complete expression"),
            ));
        }
        Ok(Filter {
            text: text.to_owned(),
            expr,
        })
    }

    /// As given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The top-level properties the filter reads.
    pub fn keys(&self) -> Vec<KeyPattern> {
        let mut out = Vec::new();
        self.expr.paths(&mut |p| {
            for k in p.keys() {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        });
        out
    }

    /// The fields the filter reads, in order of appearance, once each.
    pub fn paths(&self) -> Vec<FieldPath> {
        let mut out: Vec<FieldPath> = Vec::new();
        self.expr.paths(&mut |p| {
            if !out.contains(p) {
                out.push(p.clone());
            }
        });
        out
    }

    /// Does a record pass? `get` looks up a captured top-level property.
    pub fn keeps<'v>(&self, get: impl Fn(&KeyPattern) -> Option<&'v Value> + Copy) -> bool {
        self.expr.eval(get)
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Expr {
    fn paths(&self, f: &mut dyn FnMut(&FieldPath)) {
        match self {
            Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| t.paths(f)),
            Expr::Not(a) => a.paths(f),
            Expr::Compare(p, _, _) | Expr::In(p, _) | Expr::Exists(p) => f(p),
        }
    }

    fn eval<'v>(&self, get: impl Fn(&KeyPattern) -> Option<&'v Value> + Copy) -> bool {
        match self {
            Expr::And(terms) => terms.iter().all(|t| t.eval(get)),
            Expr::Or(terms) => terms.iter().any(|t| t.eval(get)),
            Expr::Not(a) => !a.eval(get),
            Expr::Exists(p) => p
                .values(get)
                .iter()
                .any(|v| !matches!(v, Value::String(s) if s.trim().is_empty())),
            Expr::Compare(p, op, lit) => p.values(get).iter().any(|v| compare(v, *op, lit)),
            Expr::In(p, lits) => p
                .values(get)
                .iter()
                .any(|v| lits.iter().any(|l| compare(v, Op::Eq, l))),
        }
    }
}

/// `value op literal`; false when they cannot be compared.
fn compare(value: &Value, op: Op, literal: &Literal) -> bool {
    let ordering = match (literal, value) {
        (Literal::Number(n), Value::Number(v)) => v.as_f64().and_then(|v| v.partial_cmp(n)),
        (Literal::Number(n), Value::String(s)) => {
            s.trim().parse::<f64>().ok().and_then(|v| v.partial_cmp(n))
        }
        (Literal::Text(t), Value::String(s)) => Some(s.as_str().cmp(t.as_str())),
        (Literal::Text(t), Value::Number(v)) => {
            Some(crate::units::id_text(v).as_str().cmp(t.as_str()))
        }
        (Literal::Bool(b), Value::Bool(v)) => Some(v.cmp(b)),
        (Literal::Bool(b), Value::String(s)) => {
            let s = s.trim();
            if s.eq_ignore_ascii_case("true") {
                Some(true.cmp(b))
            } else if s.eq_ignore_ascii_case("false") {
                Some(false.cmp(b))
            } else {
                None
            }
        }
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Text(String),
    Number(f64),
    Op(Op),
    Open,
    Close,
    Comma,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Name(n) => write!(f, "{n:?}"),
            Token::Text(t) => write!(f, "'{t}'"),
            Token::Number(n) => write!(f, "{n}"),
            Token::Op(op) => write!(f, "{op:?}"),
            Token::Open => f.write_str("'('"),
            Token::Close => f.write_str("')'"),
            Token::Comma => f.write_str("','"),
        }
    }
}

/// Characters a bare name may hold besides letters and digits: OSM tags
/// (`socket:type2:output`), paths (`evses[].status`).
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '[' | ']' | '*' | '-')
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let fail = |at: usize, reason: &str| FilterError {
        text: text.to_owned(),
        at,
        reason: reason.to_owned(),
    };
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((at, Token::Open));
                i += 1;
            }
            ')' => {
                out.push((at, Token::Close));
                i += 1;
            }
            ',' => {
                out.push((at, Token::Comma));
                i += 1;
            }
            '\'' | '"' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(fail(at, "a quote is not closed")),
                        Some(&(_, q)) if q == quote => {
                            if chars.get(i + 1).map(|x| x.1) == Some(quote) {
                                s.push(quote);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(&(_, ch)) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((
                    at,
                    if quote == '"' {
                        Token::Name(s)
                    } else {
                        Token::Text(s)
                    },
                ));
            }
            '=' | '!' | '<' | '>' => {
                let next = chars.get(i + 1).map(|x| x.1);
                let (op, len) = match (c, next) {
                    ('=', Some('=')) => (Op::Eq, 2),
                    ('=', _) => (Op::Eq, 1),
                    ('!', Some('=')) => (Op::Ne, 2),
                    ('<', Some('>')) => (Op::Ne, 2),
                    ('<', Some('=')) => (Op::Le, 2),
                    ('<', _) => (Op::Lt, 1),
                    ('>', Some('=')) => (Op::Ge, 2),
                    ('>', _) => (Op::Gt, 1),
                    _ => {
                        return Err(fail(
                            at,
                            "'!' must be followed by '=' (use `not` to negate)",
                        ));
                    }
                };
                out.push((at, Token::Op(op)));
                i += len;
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+' || c == '.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|x| x.1.is_ascii_digit() || x.1 == '.')) =>
            {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(|x| {
                    x.1.is_ascii_digit()
                        || x.1 == '.'
                        || x.1 == 'e'
                        || x.1 == 'E'
                        || ((x.1 == '-' || x.1 == '+') && matches!(chars[i - 1].1, 'e' | 'E'))
                }) {
                    i += 1;
                }
                let end = chars.get(i).map_or(text.len(), |x| x.0);
                let number = &text[at..end];
                let n: f64 = number
                    .parse()
                    .map_err(|_| fail(chars[start].0, "not a number"))?;
                out.push((at, Token::Number(n)));
            }
            c if name_char(c) => {
                let start = at;
                while chars.get(i).is_some_and(|x| name_char(x.1)) {
                    i += 1;
                }
                let end = chars.get(i).map_or(text.len(), |x| x.0);
                out.push((at, Token::Name(text[start..end].to_owned())));
            }
            _ => return Err(fail(at, &format!("unexpected character {c:?}"))),
        }
    }
    Ok(out)
}

/// How deep parentheses and `not` may nest: far beyond any expression a
/// person writes, far below what the stack holds.
const MAX_DEPTH: usize = 100;

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<(usize, Token)>,
    pos: usize,
    /// Parentheses and `not`s open at this point.
    depth: usize,
}

impl Parser<'_> {
    fn fail(&self, at: usize, reason: String) -> FilterError {
        FilterError {
            text: self.text.to_owned(),
            at,
            reason,
        }
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.text.len(), |t| t.0)
    }

    fn keyword(&mut self, word: &str) -> bool {
        if let Some((_, Token::Name(n))) = self.tokens.get(self.pos)
            && n.eq_ignore_ascii_case(word)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, want: Token, what: &str) -> Result<(), FilterError> {
        match self.tokens.get(self.pos) {
            Some((_, t)) if *t == want => {
                self.pos += 1;
                Ok(())
            }
            Some((at, t)) => Err(self.fail(*at, format!("expected {what}, found {t}"))),
            None => Err(self.fail(self.text.len(), format!("expected {what} at the end"))),
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.not()?];
        while self.keyword("and") {
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    /// One level deeper (a parenthesis, a `not`); refused beyond
    /// [`MAX_DEPTH`], before the parser's own recursion could exhaust the
    /// stack.
    fn deeper(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(
                self.at(),
                format!(
                    "nested more than {MAX_DEPTH} deep (parentheses and `not`); write it flatter"
                ),
            ));
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.keyword("not") {
            self.deeper()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn field(&mut self) -> Result<FieldPath, FilterError> {
        let at = self.at();
        match self.tokens.get(self.pos).cloned() {
            Some((_, Token::Name(name))) => {
                self.pos += 1;
                FieldPath::parse(&name).map_err(|why| self.fail(at, why))
            }
            Some((_, t)) => Err(self.fail(at, format!("expected a field name, found {t}"))),
            None => Err(self.fail(at, "expected a field name at the end".into())),
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        let at = self.at();
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        match token {
            Some((_, Token::Number(n))) => Ok(Literal::Number(n)),
            Some((_, Token::Text(t))) => Ok(Literal::Text(t)),
            Some((_, Token::Name(n))) if n.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some((_, Token::Name(n))) if n.eq_ignore_ascii_case("false") => {
                Ok(Literal::Bool(false))
            }
            Some((_, Token::Name(n))) => Err(self.fail(
                at,
                format!(
                    "expected a value, found the name {n:?} (text goes in single quotes: '{n}')"
                ),
            )),
            Some((_, t)) => Err(self.fail(at, format!("expected a value, found {t}"))),
            None => Err(self.fail(at, "expected a value at the end".into())),
        }
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        if matches!(self.tokens.get(self.pos), Some((_, Token::Open))) {
            self.deeper()?;
            self.pos += 1;
            let inner = self.or()?;
            self.expect(Token::Close, "')'")?;
            self.depth -= 1;
            return Ok(inner);
        }
        if matches!(self.tokens.get(self.pos), Some((_, Token::Name(n))) if n.eq_ignore_ascii_case("exists"))
            && matches!(self.tokens.get(self.pos + 1), Some((_, Token::Open)))
        {
            self.pos += 2;
            let field = self.field()?;
            self.expect(Token::Close, "')'")?;
            return Ok(Expr::Exists(field));
        }
        let field = self.field()?;
        if self.keyword("is") {
            let negated = self.keyword("not");
            if !self.keyword("null") {
                return Err(self.fail(self.at(), "expected `null` after `is`".into()));
            }
            let exists = Expr::Exists(field);
            return Ok(if negated {
                exists
            } else {
                Expr::Not(Box::new(exists))
            });
        }
        let negated = self.keyword("not");
        if self.keyword("in") {
            self.expect(Token::Open, "'(' after `in`")?;
            let mut list = vec![self.literal()?];
            while matches!(self.tokens.get(self.pos), Some((_, Token::Comma))) {
                self.pos += 1;
                list.push(self.literal()?);
            }
            self.expect(Token::Close, "')' to close the `in` list")?;
            let expr = Expr::In(field, list);
            return Ok(if negated {
                Expr::Not(Box::new(expr))
            } else {
                expr
            });
        }
        if negated {
            return Err(self.fail(self.at(), "expected `in` after `not`".into()));
        }
        let at = self.at();
        let op = match self.tokens.get(self.pos) {
            Some((_, Token::Op(op))) => *op,
            Some((_, t)) => {
                return Err(self.fail(
                    at,
                    format!("expected a comparison (=, !=, <, <=, >, >=, in, is null) after the field, found {t}"),
                ));
            }
            None => return Err(self.fail(at, "expected a comparison after the field".into())),
        };
        self.pos += 1;
        Ok(Expr::Compare(field, op, self.literal()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keeps(expr: &str, record: Value) -> bool {
        let f = Filter::parse(expr).unwrap();
        f.keeps(|k: &KeyPattern| record.get(k.to_string()))
    }

    #[test]
    fn comparisons_on_numbers_text_and_numeric_text() {
        assert!(keeps("power_kw >= 50", json!({"power_kw": 50})));
        assert!(
            keeps("power_kw >= 50", json!({"power_kw": "50.0"})),
            "CSV cells are text"
        );
        assert!(!keeps("power_kw > 50", json!({"power_kw": 50})));
        assert!(keeps(
            "status = 'operational'",
            json!({"status": "operational"})
        ));
        assert!(!keeps(
            "status = 'operational'",
            json!({"status": "Operational"})
        ));
        assert!(keeps("code = '0101'", json!({"code": "0101"})));
        assert!(
            keeps("code = '101'", json!({"code": 101})),
            "numbers as text"
        );
        assert!(keeps("public = true", json!({"public": true})));
        assert!(keeps("public = true", json!({"public": "TRUE"})));
        assert!(keeps("n <> 3", json!({"n": 4})));
    }

    #[test]
    fn missing_values_fail_every_comparison() {
        // SQL's rule, without a third truth value: x != 1 is false for a
        // record without x, and `not` then makes it true.
        assert!(!keeps("x != 1", json!({})));
        assert!(!keeps("x = 1", json!({"x": null})));
        assert!(keeps("not x = 1", json!({})));
        assert!(keeps("x is null or x != 1", json!({})));
        assert!(keeps("x is null", json!({"x": null})));
        assert!(
            !keeps("x is not null", json!({"x": "  "})),
            "blank text is no value"
        );
        assert!(keeps("exists(x)", json!({"x": 0})));
    }

    #[test]
    fn logic_in_lists_precedence_and_quoted_names() {
        let rec = json!({"access": "public", "kind": "DC", "P1 [kW]": "150"});
        assert!(keeps(
            "access in ('public', 'yes') and kind = 'DC'",
            rec.clone()
        ));
        assert!(!keeps("access not in ('public', 'yes')", rec.clone()));
        // and binds tighter than or: false and false or true = true.
        assert!(keeps(
            "kind = 'AC' and access = 'x' or kind = 'DC'",
            rec.clone()
        ));
        assert!(!keeps(
            "kind = 'AC' and (access = 'x' or kind = 'DC')",
            rec.clone()
        ));
        assert!(keeps("\"P1 [kW]\" >= 150", rec.clone()));
        assert!(keeps("NOT kind = 'AC' AND access IN ('public')", rec));
        assert!(keeps("name = 'O''Brien'", json!({"name": "O'Brien"})));
    }

    #[test]
    fn paths_hold_when_any_value_does() {
        let rec = json!({"evses": [{"status": "REMOVED"}, {"status": "AVAILABLE"}]});
        assert!(keeps("evses[].status = 'AVAILABLE'", rec.clone()));
        assert!(!keeps("evses[].status = 'BLOCKED'", rec));
        let f = Filter::parse("evses[].status = 'A' and power > 1").unwrap();
        assert_eq!(
            f.keys(),
            vec![
                KeyPattern::exact("evses[].status"),
                KeyPattern::exact("evses"),
                KeyPattern::exact("power")
            ]
        );
    }

    #[test]
    fn deep_nesting_is_refused_and_long_chains_are_flat() {
        // 100 levels parse; 101 are refused by name, as are 4,000 (which
        // overflowed the stack before).
        let nested = |n: usize| format!("{}a = 1{}", "(".repeat(n), ")".repeat(n));
        assert!(Filter::parse(&nested(MAX_DEPTH)).is_ok());
        for n in [MAX_DEPTH + 1, 4_000] {
            let err = Filter::parse(&nested(n)).unwrap_err().to_string();
            assert!(err.contains("nested more than 100 deep"), "{err}");
        }
        let err = Filter::parse(&format!("{}a = 1", "not ".repeat(5_000)))
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested more than"), "{err}");
        // 200,000 terms: evaluated and dropped without deep recursion.
        let chain = vec!["a = 1"; 200_000].join(" and ");
        assert!(keeps(&chain, json!({"a": 1})));
        assert!(!keeps(&chain, json!({"a": 2})));
        let chain = vec!["a = 1"; 200_000].join(" or ");
        assert!(keeps(&chain, json!({"a": 1})));
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = Filter::parse("status = operational").unwrap_err();
        assert!(e.reason.contains("single quotes"), "{e}");
        assert_eq!(e.at, 9);
        assert!(
            Filter::parse("a = 'x")
                .unwrap_err()
                .reason
                .contains("not closed")
        );
        assert!(
            Filter::parse("a = 1 b")
                .unwrap_err()
                .reason
                .contains("unexpected")
        );
        assert!(Filter::parse("(a = 1").unwrap_err().reason.contains("')'"));
        assert!(Filter::parse("a ! 1").is_err());
        assert!(
            Filter::parse("a")
                .unwrap_err()
                .reason
                .contains("comparison")
        );
        assert!(Filter::parse("a in 1").is_err());
        assert!(Filter::parse("").is_err());
    }
}

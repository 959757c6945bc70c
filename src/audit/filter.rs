//! SCIM-style filter expressions (okta-surface.md §12, also used by `/api/v1/users?search=`):
//! `attr op "value"`, `attr pr`, `and` (binds tighter than `or`), `or`, `not`, parentheses.
//! A pure parser plus an in-memory evaluator; SQL compilation lives with the store.

use std::fmt;

/// A comparison operator; spelled case-insensitively in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Co,
    Sw,
    Ew,
    Pr,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// The operator as written in filters (lower case).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Co => "co",
            Op::Sw => "sw",
            Op::Ew => "ew",
            Op::Pr => "pr",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "pr" => Op::Pr,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `attr op value`; `value` is `None` only for `pr`. Bare `true`/`false`/`null`/numbers keep their text.
    Cmp {
        attr: String,
        op: Op,
        value: Option<String>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

impl Expr {
    /// Every `(attribute, operator)` pair in the expression, left to right.
    #[must_use]
    pub fn comparisons(&self) -> Vec<(&str, Op)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<(&'a str, Op)>) {
        match self {
            Expr::Cmp { attr, op, .. } => out.push((attr.as_str(), *op)),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Not(e) => e.collect(out),
        }
    }
}

/// Why a filter did not parse. Positions are 0-based character offsets into the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    Syntax { position: usize, message: String },
    UnknownOperator { op: String, position: usize },
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Syntax { position, message } => write!(f, "{message} at position {position}"),
            FilterError::UnknownOperator { op, position } => {
                write!(f, "Unrecognized attribute operator '{op}' at position {position}")
            }
        }
    }
}

impl std::error::Error for FilterError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
}

fn syntax(position: usize, message: impl Into<String>) -> FilterError {
    FilterError::Syntax { position, message: message.into() }
}

fn tokenize(input: &str) -> Result<Vec<(usize, Tok)>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((i, Tok::Open));
            i += 1;
        } else if c == ')' {
            out.push((i, Tok::Close));
            i += 1;
        } else if c == '"' {
            let start = i;
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(syntax(start, "Unterminated string")),
                    Some('"') => break,
                    Some('\\') => match chars.get(i + 1) {
                        Some(&e @ ('"' | '\\' | '/')) => {
                            s.push(e);
                            i += 2;
                        }
                        Some('n') => {
                            s.push('\n');
                            i += 2;
                        }
                        Some('t') => {
                            s.push('\t');
                            i += 2;
                        }
                        _ => return Err(syntax(i, "Invalid escape sequence")),
                    },
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push((start, Tok::Str(s)));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '"') {
                i += 1;
            }
            out.push((start, Tok::Word(chars[start..i].iter().collect())));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(p, _)| *p)
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let at = self.here();
        match self.peek().cloned() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") && !self.next_is_operator() => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() == Some(&Tok::Close) {
                    self.pos += 1;
                    Ok(inner)
                } else {
                    Err(syntax(self.here(), "Expected ')'"))
                }
            }
            Some(Tok::Word(attr)) => {
                self.pos += 1;
                self.comparison(attr)
            }
            Some(_) => Err(syntax(at, "Expected an attribute")),
            None => Err(syntax(at, "Unexpected end of filter")),
        }
    }

    /// `not eq "x"` compares an attribute called `not`; `not (…)` / `not a eq "b"` negates.
    fn next_is_operator(&self) -> bool {
        matches!(self.toks.get(self.pos + 1), Some((_, Tok::Word(w))) if Op::parse(w).is_some())
            && !matches!(self.toks.get(self.pos + 2), Some((_, Tok::Word(w))) if Op::parse(w).is_some())
    }

    fn comparison(&mut self, attr: String) -> Result<Expr, FilterError> {
        let at = self.here();
        let op = match self.peek().cloned() {
            Some(Tok::Word(w)) => Op::parse(&w).ok_or(FilterError::UnknownOperator { op: w, position: at })?,
            Some(_) => return Err(syntax(at, "Expected an operator")),
            None => return Err(syntax(at, "Unexpected end of filter")),
        };
        self.pos += 1;
        if op == Op::Pr {
            return Ok(Expr::Cmp { attr, op, value: None });
        }
        let at = self.here();
        let value = match self.peek().cloned() {
            Some(Tok::Str(s)) => s,
            Some(Tok::Word(w)) if is_bare_value(&w) => w,
            Some(_) => return Err(syntax(at, "Expected a value")),
            None => return Err(syntax(at, "Unexpected end of filter")),
        };
        self.pos += 1;
        Ok(Expr::Cmp { attr, op, value: Some(value) })
    }
}

fn is_bare_value(w: &str) -> bool {
    matches!(w, "true" | "false" | "null")
        || (w.parse::<f64>().is_ok()
            && w.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
}

/// Parses a filter expression.
///
/// # Errors
/// `UnknownOperator` when the word after an attribute is not an operator; `Syntax` otherwise.
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    let toks = tokenize(input)?;
    let mut p = Parser { toks, pos: 0, end: input.chars().count() };
    let expr = p.or()?;
    if p.pos < p.toks.len() {
        return Err(syntax(p.here(), "Unexpected token"));
    }
    Ok(expr)
}

/// In-memory evaluation: `values(attr)` returns every value of the attribute (several for `target.*`).
/// A comparison holds if any value satisfies it; `eq co sw ew` are case-insensitive; `gt ge lt le`
/// compare case-folded strings (ISO 8601 dates compare correctly); `pr` needs a non-empty value.
pub fn matches(expr: &Expr, values: &dyn Fn(&str) -> Vec<String>) -> bool {
    match expr {
        Expr::And(a, b) => matches(a, values) && matches(b, values),
        Expr::Or(a, b) => matches(a, values) || matches(b, values),
        Expr::Not(e) => !matches(e, values),
        Expr::Cmp { attr, op, value } => {
            let want = value.as_deref().unwrap_or("").to_lowercase();
            values(attr).iter().any(|v| {
                let v = v.to_lowercase();
                match op {
                    Op::Pr => !v.is_empty(),
                    Op::Eq => v == want,
                    Op::Co => v.contains(&want),
                    Op::Sw => v.starts_with(&want),
                    Op::Ew => v.ends_with(&want),
                    Op::Gt => v > want,
                    Op::Ge => v >= want,
                    Op::Lt => v < want,
                    Op::Le => v <= want,
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(attr: &str, op: Op, value: &str) -> Expr {
        Expr::Cmp { attr: attr.into(), op, value: Some(value.into()) }
    }

    fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Box::new(a), Box::new(b))
    }

    fn or(a: Expr, b: Expr) -> Expr {
        Expr::Or(Box::new(a), Box::new(b))
    }

    #[test]
    fn simple_and_case_insensitive_operators() {
        assert_eq!(
            parse(r#"eventType eq "user.session.start""#).unwrap(),
            cmp("eventType", Op::Eq, "user.session.start")
        );
        assert_eq!(parse(r#"a CO "x""#).unwrap(), cmp("a", Op::Co, "x"));
        assert_eq!(parse("a pr").unwrap(), Expr::Cmp { attr: "a".into(), op: Op::Pr, value: None });
        assert_eq!(parse("a eq true").unwrap(), cmp("a", Op::Eq, "true"));
        assert_eq!(parse("a gt 42").unwrap(), cmp("a", Op::Gt, "42"));
        assert_eq!(parse("a eq null").unwrap(), cmp("a", Op::Eq, "null"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let e = parse(r#"a eq "1" or b eq "2" AND c eq "3""#).unwrap();
        assert_eq!(e, or(cmp("a", Op::Eq, "1"), and(cmp("b", Op::Eq, "2"), cmp("c", Op::Eq, "3"))));
        let e = parse(r#"a eq "1" and b eq "2" or c eq "3""#).unwrap();
        assert_eq!(e, or(and(cmp("a", Op::Eq, "1"), cmp("b", Op::Eq, "2")), cmp("c", Op::Eq, "3")));
    }

    #[test]
    fn parentheses_and_not() {
        let e = parse(r#"(a eq "1" or b eq "2") and c eq "3""#).unwrap();
        assert_eq!(e, and(or(cmp("a", Op::Eq, "1"), cmp("b", Op::Eq, "2")), cmp("c", Op::Eq, "3")));
        let e = parse(r#"not (a eq "1") and b sw "x""#).unwrap();
        assert_eq!(e, and(Expr::Not(Box::new(cmp("a", Op::Eq, "1"))), cmp("b", Op::Sw, "x")));
        let e = parse(r#"NOT(a eq "1" or b eq "2")"#).unwrap();
        assert_eq!(e, Expr::Not(Box::new(or(cmp("a", Op::Eq, "1"), cmp("b", Op::Eq, "2")))));
        assert_eq!(parse(r#"((a ew "z"))"#).unwrap(), cmp("a", Op::Ew, "z"));
    }

    #[test]
    fn string_escapes() {
        assert_eq!(parse(r#"a eq "say \"hi\" \\ ok""#).unwrap(), cmp("a", Op::Eq, r#"say "hi" \ ok"#));
        assert_eq!(parse(r#"a eq "and or not (x)""#).unwrap(), cmp("a", Op::Eq, "and or not (x)"));
    }

    #[test]
    fn error_positions() {
        assert_eq!(parse(r#"eventType eqq "x""#), Err(FilterError::UnknownOperator { op: "eqq".into(), position: 10 }));
        assert_eq!(
            parse(r#"a eq "1" and b  ne "2""#),
            Err(FilterError::UnknownOperator { op: "ne".into(), position: 16 })
        );
        assert!(matches!(parse(r#"a eq "x"#), Err(FilterError::Syntax { position: 5, .. })));
        assert!(matches!(parse("a eq"), Err(FilterError::Syntax { position: 4, .. })));
        assert!(matches!(parse(r#"(a eq "x""#), Err(FilterError::Syntax { position: 9, .. })));
        assert!(matches!(parse(r#"a eq "x")"#), Err(FilterError::Syntax { position: 8, .. })));
        assert!(matches!(parse("a eq bare"), Err(FilterError::Syntax { position: 5, .. })));
        assert!(matches!(parse(""), Err(FilterError::Syntax { position: 0, .. })));
        assert!(matches!(parse(r#"a eq "x" and"#), Err(FilterError::Syntax { position: 12, .. })));
    }

    #[test]
    fn evaluation() {
        let values = |attr: &str| -> Vec<String> {
            match attr {
                "eventType" => vec!["user.session.start".into()],
                "target.id" => vec!["A".into(), "B".into()],
                "published" => vec!["2026-03-01T09:31:02.353Z".into()],
                _ => vec![],
            }
        };
        let m = |f: &str| matches(&parse(f).unwrap(), &values);
        assert!(m(r#"eventType eq "USER.SESSION.START""#));
        assert!(m(r#"eventType sw "user." and eventType ew "start" and eventType co "session""#));
        assert!(m(r#"target.id eq "a" and target.id eq "b""#));
        assert!(!m(r#"target.id eq "c""#));
        assert!(m(r#"not (target.id eq "c") and eventType pr"#));
        assert!(!m("displayMessage pr"));
        assert!(m(r#"published gt "2026-03-01T00:00:00Z" and published lt "2026-03-02""#));
        assert!(m(r#"target.id eq "c" or eventType eq "user.session.start""#));
    }
}

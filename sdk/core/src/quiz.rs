//! The quiz (答题): one question at a time, one tap to answer, answers locked on submit.
//! The correct answer reaches clients only with the reveal; scores, streaks and
//! eliminations come from the server (`quiz.standing`), never from the client.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_OPTION_CHARS: usize = 60;
pub const MAX_LEADERBOARD: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum QuizMode {
    /// Points per right answer.
    Score,
    /// A wrong or missing answer makes the viewer a spectator (until the server revives them).
    Elimination,
    /// Friends answer together; the server gives the team id.
    Team,
}

/// `quiz.open`: the quiz itself; questions follow with `quiz.question`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizSpec {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default = "score_mode")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub mode: QuizMode,
}

fn score_mode() -> QuizMode {
    QuizMode::Score
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizOption {
    pub id: String,
    pub label: String,
}

/// `quiz.question`: the next question. It carries no correct answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionSpec {
    pub widget_id: String,
    pub question_id: String,
    pub text: String,
    /// 2–4 options.
    pub options: Vec<QuizOption>,
    /// Server time the answer window closes.
    pub closes_at: Millis,
    #[serde(default = "ten")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub points: u32,
}

fn ten() -> u32 {
    10
}

/// `quiz.reveal`: the right option(s) and how viewers answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizReveal {
    pub widget_id: String,
    pub question_id: String,
    pub correct: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub counts: BTreeMap<String, u64>,
}

/// `quiz.standing`: one viewer's score as the server computed it. With `user_id`, only
/// that viewer takes it (so a backend may broadcast every viewer's standing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizStanding {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub score: u64,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub streak: u32,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub eliminated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
}

/// `quiz.leaderboard`: the top viewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizLeaderboard {
    pub widget_id: String,
    pub top: Vec<LeaderboardRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeaderboardRow {
    pub name: String,
    pub score: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum QuestionPhase {
    Open,
    Closed,
    Revealed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "QuizQuestionState"))]
pub struct Question {
    pub spec: QuestionSpec,
    pub phase: QuestionPhase,
    /// When the viewer first saw it (server time).
    pub shown_at: Millis,
    pub my_answer: Option<usize>,
    pub correct: Vec<usize>,
    pub counts: Vec<u64>,
}

impl Question {
    /// Whether the viewer's answer was right, once revealed.
    pub fn my_result(&self) -> Option<bool> {
        (self.phase == QuestionPhase::Revealed)
            .then(|| self.my_answer.is_some_and(|a| self.correct.contains(&a)))
    }

    /// Whole percentages per option summing to 100 (or all 0).
    pub fn percentages(&self) -> Vec<u8> {
        crate::poll::percentages(&self.counts)
    }
}

/// What the server knows of a quiz, for late joiners (the current question with its
/// reveal if any, and this viewer's standing when the server knows the viewer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuizSnapshot {
    pub spec: QuizSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal: Option<QuizReveal>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub closed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaderboard: Option<QuizLeaderboard>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "QuizState"))]
pub struct Quiz {
    spec: QuizSpec,
    question: Option<Question>,
    standing: Option<QuizStanding>,
    leaderboard: Option<QuizLeaderboard>,
    answered: u32,
}

impl Quiz {
    pub fn open(spec: QuizSpec) -> Result<(Quiz, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        if let Some(t) = &spec.title {
            validate::text("title", t, MAX_TEXT_CHARS)?;
        }
        let quiz = Quiz {
            spec,
            question: None,
            standing: None,
            leaderboard: None,
            answered: 0,
        };
        Ok((quiz, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &QuizSpec {
        &self.spec
    }
    pub fn question(&self) -> Option<&Question> {
        self.question.as_ref()
    }
    pub fn standing(&self) -> Option<&QuizStanding> {
        self.standing.as_ref()
    }
    pub fn leaderboard(&self) -> Option<&QuizLeaderboard> {
        self.leaderboard.as_ref()
    }
    pub fn eliminated(&self) -> bool {
        self.standing.as_ref().is_some_and(|s| s.eliminated)
    }

    pub fn can_answer(&self, now: Millis) -> bool {
        !self.eliminated()
            && self.question.as_ref().is_some_and(|q| {
                q.phase == QuestionPhase::Open && now < q.spec.closes_at && q.my_answer.is_none()
            })
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.question
            .as_ref()
            .filter(|q| q.phase == QuestionPhase::Open)
            .map(|q| q.spec.closes_at)
    }

    /// `quiz.question`: shows the next question (the same question again changes nothing).
    pub fn ask(&mut self, spec: &QuestionSpec, now: Millis) -> Result<Transition, HudongError> {
        validate::id("question_id", &spec.question_id)?;
        validate::text("text", &spec.text, MAX_TEXT_CHARS)?;
        if !(2..=4).contains(&spec.options.len()) {
            return Err(HudongError::field("a quiz question needs 2–4 options"));
        }
        for (i, o) in spec.options.iter().enumerate() {
            validate::id(&format!("options[{i}].id"), &o.id)?;
            validate::text(&format!("options[{i}].label"), &o.label, MAX_OPTION_CHARS)?;
            if spec.options[..i].iter().any(|p| p.id == o.id) {
                return Err(HudongError::field(format!(
                    "option id \"{}\" appears twice",
                    o.id
                )));
            }
        }
        if let Some(q) = &self.question {
            if q.spec.question_id == spec.question_id {
                return if q.spec == *spec {
                    Ok(Transition::default())
                } else {
                    Err(HudongError::new(
                        ErrorCode::WidgetConflict,
                        "a different question with this id was asked",
                    ))
                };
            }
        }
        let n = spec.options.len();
        let phase = if now >= spec.closes_at {
            QuestionPhase::Closed
        } else {
            QuestionPhase::Open
        };
        self.question = Some(Question {
            spec: spec.clone(),
            phase,
            shown_at: now,
            my_answer: None,
            correct: Vec::new(),
            counts: vec![0; n],
        });
        Ok(Transition::changed(vec![Event::QuizQuestion {
            question_id: spec.question_id.clone(),
        }]))
    }

    fn current(&mut self, question_id: &str) -> Result<&mut Question, HudongError> {
        match &mut self.question {
            Some(q) if q.spec.question_id == question_id => Ok(q),
            _ => Err(HudongError::field(format!(
                "question \"{}\" is not the current question",
                question_id.chars().take(64).collect::<String>()
            ))),
        }
    }

    /// The viewer answers: one tap, locked.
    pub fn answer(
        &mut self,
        question_id: &str,
        option_id: &str,
        now: Millis,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        let eliminated = self.eliminated();
        let team_id = self.standing.as_ref().and_then(|s| s.team_id.clone());
        let q = self.current(question_id)?;
        let i = q
            .spec
            .options
            .iter()
            .position(|o| o.id == option_id)
            .ok_or_else(|| {
                HudongError::new(ErrorCode::InvalidChoice, "no such option in this question")
            })?;
        if q.my_answer == Some(i) {
            return Ok(Transition::default()); // a double tap
        }
        if q.my_answer.is_some() {
            return Err(HudongError::new(
                ErrorCode::AlreadyVoted,
                "answers are locked once submitted",
            ));
        }
        if eliminated {
            return Err(HudongError::new(
                ErrorCode::NotOpen,
                "eliminated viewers watch the rest of the quiz",
            ));
        }
        if q.phase != QuestionPhase::Open || now >= q.spec.closes_at {
            return Err(HudongError::new(
                ErrorCode::NotOpen,
                "the answer window has closed",
            ));
        }
        q.my_answer = Some(i);
        let event = Event::QuizAnswer {
            question_id: question_id.to_owned(),
            option_id: option_id.to_owned(),
            time_to_answer_ms: now.saturating_sub(q.shown_at),
            idempotency_key: format!("{key_prefix}:answer:{question_id}"),
            team_id,
        };
        self.answered += 1;
        Ok(Transition::changed(vec![event]))
    }

    /// Closes the current question's answer window (by deadline or `quiz.close`).
    fn close_question(&mut self) -> Transition {
        match &mut self.question {
            Some(q) if q.phase == QuestionPhase::Open => {
                q.phase = QuestionPhase::Closed;
                Transition {
                    events: Vec::new(),
                    changed: true,
                }
            }
            _ => Transition::default(),
        }
    }

    pub fn close(&mut self, question_id: &str) -> Result<Transition, HudongError> {
        self.current(question_id)?;
        Ok(self.close_question())
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        match &self.question {
            Some(q) if q.phase == QuestionPhase::Open && now >= q.spec.closes_at => {
                self.close_question()
            }
            _ => Transition::default(),
        }
    }

    /// `quiz.reveal`: right and wrong, once.
    pub fn reveal(&mut self, r: &QuizReveal) -> Result<Transition, HudongError> {
        let q = self.current(&r.question_id)?;
        let mut correct = Vec::new();
        for id in &r.correct {
            correct.push(
                q.spec
                    .options
                    .iter()
                    .position(|o| &o.id == id)
                    .ok_or_else(|| {
                        HudongError::field(format!(
                            "correct names option \"{}\" that this question does not have",
                            id.chars().take(64).collect::<String>()
                        ))
                    })?,
            );
        }
        if correct.is_empty() {
            return Err(HudongError::field("correct must name at least one option"));
        }
        let mut counts = q.counts.clone();
        for (id, &c) in &r.counts {
            let i = q
                .spec
                .options
                .iter()
                .position(|o| &o.id == id)
                .ok_or_else(|| HudongError::field("counts names an unknown option"))?;
            counts[i] = counts[i].max(c);
        }
        correct.sort_unstable();
        correct.dedup();
        if q.phase == QuestionPhase::Revealed {
            let changed = counts != q.counts;
            q.counts = counts;
            return Ok(Transition {
                events: Vec::new(),
                changed,
            });
        }
        q.phase = QuestionPhase::Revealed;
        q.correct = correct;
        q.counts = counts;
        let right = q.my_result();
        let event = Event::QuizRevealed {
            question_id: r.question_id.clone(),
            correct: r.correct.clone(),
            my_answer: q.my_answer.map(|i| q.spec.options[i].id.clone()),
            right,
        };
        Ok(Transition::changed(vec![event]))
    }

    /// `quiz.standing` for this viewer (the room passes no other's).
    pub fn stand(&mut self, s: &QuizStanding) -> Result<Transition, HudongError> {
        if let Some(t) = &s.team_id {
            validate::id("team_id", t)?;
        }
        if self.standing.as_ref() == Some(s) {
            return Ok(Transition::default());
        }
        let was_out = self.eliminated();
        self.standing = Some(s.clone());
        let mut events = Vec::new();
        if s.eliminated && !was_out {
            events.push(Event::QuizEliminated);
        }
        if !s.eliminated && was_out {
            events.push(Event::QuizRevived);
        }
        Ok(Transition {
            events,
            changed: true,
        })
    }

    pub fn set_leaderboard(&mut self, l: &QuizLeaderboard) -> Result<Transition, HudongError> {
        if l.top.len() > MAX_LEADERBOARD {
            return Err(HudongError::field(format!(
                "a leaderboard shows at most {MAX_LEADERBOARD} rows"
            )));
        }
        for r in &l.top {
            validate::text("top[].name", &r.name, 40)?;
        }
        if self.leaderboard.as_ref() == Some(l) {
            return Ok(Transition::default());
        }
        self.leaderboard = Some(l.clone());
        Ok(Transition {
            events: Vec::new(),
            changed: true,
        })
    }

    pub fn snapshot(&self) -> QuizSnapshot {
        QuizSnapshot {
            spec: self.spec.clone(),
            question: self.question.as_ref().map(|q| q.spec.clone()),
            reveal: self
                .question
                .as_ref()
                .filter(|q| q.phase == QuestionPhase::Revealed)
                .map(|q| QuizReveal {
                    widget_id: self.spec.widget_id.clone(),
                    question_id: q.spec.question_id.clone(),
                    correct: q
                        .correct
                        .iter()
                        .map(|&i| q.spec.options[i].id.clone())
                        .collect(),
                    counts: q
                        .spec
                        .options
                        .iter()
                        .zip(&q.counts)
                        .map(|(o, &c)| (o.id.clone(), c))
                        .collect(),
                }),
            closed: self
                .question
                .as_ref()
                .is_some_and(|q| q.phase != QuestionPhase::Open),
            leaderboard: self.leaderboard.clone(),
        }
    }

    pub fn check_snapshot(&self, s: &QuizSnapshot) -> Result<(), HudongError> {
        let mut probe = self.clone();
        probe.merge_snapshot(s, 0).map(|_| ())
    }

    pub fn merge_snapshot(
        &mut self,
        s: &QuizSnapshot,
        now: Millis,
    ) -> Result<Transition, HudongError> {
        let mut t = Transition::default();
        let mut add = |x: Transition| {
            t.changed |= x.changed;
            t.events.extend(x.events);
        };
        if let Some(q) = &s.question {
            add(self.ask(q, now)?);
            if s.closed {
                add(self.close(&q.question_id)?);
            }
            if let Some(r) = &s.reveal {
                add(self.reveal(r)?);
            }
        }
        if let Some(l) = &s.leaderboard {
            add(self.set_leaderboard(l)?);
        }
        Ok(t)
    }
}

crate::widget::widget_state! {
    Quiz: QuizSpec, QuizSnapshot, "a quiz";
    open(spec, _now) => Quiz::open(spec);
    command(self, cx) {
        Command::QuizQuestion(q) => self.ask(q, cx.now),
        Command::QuizClose(q) => self.close(&q.question_id),
        Command::QuizReveal(r) => self.reveal(r),
        Command::QuizStanding(s) => self.stand(s),
        Command::QuizLeaderboard(l) => self.set_leaderboard(l),
    }
    act(self, cx) {
        Action::QuizAnswer { question_id, option_id, .. } => {
            self.answer(question_id, option_id, cx.now, &cx.key_prefix())
        },
    }
    fn next_deadline(&self, _now: Millis) -> Option<Millis> {
        Quiz::next_deadline(self)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Quiz::tick(self, now)
    }
    fn check_snapshot(&self, s: &QuizSnapshot) -> Result<(), HudongError> {
        Quiz::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &QuizSnapshot, now: Millis) -> Result<Transition, HudongError> {
        Quiz::merge_snapshot(self, s, now)
    }
}

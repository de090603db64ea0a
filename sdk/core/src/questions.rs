//! Question queue (问题征集 / 提问): viewers submit questions and upvote others'; the server
//! acknowledges a question at once with its place in the queue (viewers otherwise wait
//! minutes for a reply, and half give up), merges duplicates, and the host marks one
//! "answering now" and then "answered".
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

/// Questions shown in the queue at most.
pub const MAX_SHOWN: usize = 20;
/// One question per viewer per this many ms (a second one sooner is refused, `limit_reached`).
pub const ASK_EVERY_MS: Millis = 10_000;

/// `questions.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionsSpec {
    pub widget_id: String,
    /// What the host asks for ("有什么想问主播的？").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Longest question, in characters (default 100, at most 300).
    #[serde(default = "default_len")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub max_len: u32,
}

fn default_len() -> u32 {
    100
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum QuestionState {
    Queued,
    /// The host is answering it now.
    Answering,
    Answered,
}

/// One question of the room's queue, as the server ranks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QueueItem {
    pub question_id: String,
    pub text: String,
    pub votes: u64,
    pub state: QuestionState,
}

/// `question.queue`: the top of the room's queue, in order (answering first, then queued by
/// votes and time, then answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionQueue {
    pub widget_id: String,
    pub items: Vec<QueueItem>,
    /// Questions waiting in all (the list shows at most [`MAX_SHOWN`]).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waiting: u64,
}

/// `question.ack`: the server took the viewer's question (addressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionAck {
    pub widget_id: String,
    pub request_id: String,
    pub question_id: String,
    /// 1-based place among the waiting questions.
    pub position: u64,
    /// The question was the same as one already asked: it counts as a vote for it.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub merged: bool,
}

/// `question.mark`: the host answers a question now, or has answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionMark {
    pub widget_id: String,
    pub question_id: String,
    pub state: QuestionState,
}

/// A question this viewer asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MyQuestion {
    pub request_id: String,
    pub text: String,
    /// Set by the server's acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub merged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionsSnapshot {
    pub spec: QuestionsSpec,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub items: Vec<QueueItem>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waiting: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "QuestionsState"))]
pub struct Questions {
    spec: QuestionsSpec,
    items: Vec<QueueItem>,
    waiting: u64,
    mine: Vec<MyQuestion>,
    voted: Vec<String>,
    asks: u32,
    last_ask_at: Option<Millis>,
}

impl Questions {
    pub fn open(spec: QuestionsSpec) -> Result<(Questions, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        if let Some(p) = &spec.prompt {
            validate::text("prompt", p, 60)?;
        }
        if spec.max_len == 0 || spec.max_len > 300 {
            return Err(HudongError::field("max_len is 1 to 300 characters"));
        }
        let q = Questions {
            spec,
            items: Vec::new(),
            waiting: 0,
            mine: Vec::new(),
            voted: Vec::new(),
            asks: 0,
            last_ask_at: None,
        };
        Ok((q, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &QuestionsSpec {
        &self.spec
    }
    pub fn items(&self) -> &[QueueItem] {
        &self.items
    }
    pub fn waiting(&self) -> u64 {
        self.waiting
    }
    pub fn mine(&self) -> &[MyQuestion] {
        &self.mine
    }
    pub fn voted(&self, question_id: &str) -> bool {
        self.voted.iter().any(|v| v == question_id)
    }
    /// Whether the question is one of this viewer's.
    pub fn is_mine(&self, question_id: &str) -> bool {
        self.mine
            .iter()
            .any(|m| m.question_id.as_deref() == Some(question_id))
    }

    /// Where a question of this viewer's waits now: its place among the queued questions of
    /// the latest queue, else the acknowledgement's.
    pub fn position_of(&self, q: &MyQuestion) -> Option<u64> {
        let id = q.question_id.as_deref()?;
        let mut place = 0;
        for item in &self.items {
            if item.state == QuestionState::Queued {
                place += 1;
                if item.question_id == id {
                    return Some(place);
                }
            } else if item.question_id == id {
                return None; // being answered, or answered
            }
        }
        q.position
    }

    /// The viewer asks. Shown at once as "sending"; the server's `question.ack` gives it a
    /// place. At most one question per [`ASK_EVERY_MS`].
    pub fn ask(
        &mut self,
        text: &str,
        now: Millis,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        let text = text.trim();
        validate::text("text", text, self.spec.max_len as usize)?;
        if self
            .last_ask_at
            .is_some_and(|t| now >= t && now < t + ASK_EVERY_MS)
        {
            return Err(HudongError::new(
                ErrorCode::LimitReached,
                "one question every 10 seconds",
            ));
        }
        if self.mine.len() >= MAX_SHOWN {
            return Err(HudongError::new(
                ErrorCode::LimitReached,
                "you have asked enough questions in this room",
            ));
        }
        self.asks += 1;
        self.last_ask_at = Some(now);
        let request_id = format!("{key_prefix}:ask:{}", self.asks);
        self.mine.push(MyQuestion {
            request_id: request_id.clone(),
            text: text.to_owned(),
            question_id: None,
            position: None,
            merged: false,
        });
        Ok(Transition::changed(vec![Event::QuestionAsk {
            request_id,
            text: text.to_owned(),
        }]))
    }

    /// An upvote, once per question; not on one's own.
    pub fn upvote(
        &mut self,
        question_id: &str,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        let Some(item) = self.items.iter_mut().find(|i| i.question_id == question_id) else {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "no such question in the queue",
            ));
        };
        if item.state == QuestionState::Answered {
            return Err(HudongError::new(ErrorCode::NotOpen, "already answered"));
        }
        if self
            .mine
            .iter()
            .any(|m| m.question_id.as_deref() == Some(question_id))
            || self.voted.iter().any(|v| v == question_id)
        {
            return Ok(Transition::default());
        }
        item.votes += 1; // shown at once; the next queue from the server has it
        self.voted.push(question_id.to_owned());
        let idempotency_key = format!("{key_prefix}:upvote:{question_id}");
        Ok(Transition::changed(vec![Event::QuestionUpvote {
            question_id: question_id.to_owned(),
            idempotency_key,
        }]))
    }

    /// `question.ack`: for a question of this viewer's still waiting for one.
    pub fn ack(&mut self, a: &QuestionAck) -> Result<Transition, HudongError> {
        validate::id("question_id", &a.question_id)?;
        let Some(m) = self.mine.iter_mut().find(|m| m.request_id == a.request_id) else {
            return Ok(Transition::default());
        };
        if m.question_id.is_some() {
            return Ok(Transition::default());
        }
        m.question_id = Some(a.question_id.clone());
        m.position = Some(a.position);
        m.merged = a.merged;
        Ok(Transition::changed(vec![Event::QuestionAcked {
            request_id: a.request_id.clone(),
            question_id: a.question_id.clone(),
            position: a.position,
            merged: a.merged,
        }]))
    }

    /// `question.queue`: the server's ranking replaces the list. A question of this viewer's
    /// that the host starts answering is reported (`question.answering`), once.
    pub fn set_queue(&mut self, q: &QuestionQueue) -> Result<Transition, HudongError> {
        check_items(&q.items)?;
        if q.items == self.items && q.waiting == self.waiting {
            return Ok(Transition::default());
        }
        let mut events = Vec::new();
        for item in &q.items {
            let was = self
                .items
                .iter()
                .find(|i| i.question_id == item.question_id)
                .map(|i| i.state);
            if item.state != QuestionState::Queued
                && was != Some(item.state)
                && self.is_mine(&item.question_id)
            {
                events.push(Event::QuestionState {
                    question_id: item.question_id.clone(),
                    state: item.state,
                });
            }
        }
        self.items = q.items.clone();
        self.waiting = q.waiting;
        Ok(Transition {
            events,
            changed: true,
        })
    }

    /// `question.mark`: the host's word on one question (the server's next queue follows).
    pub fn mark(&mut self, m: &QuestionMark) -> Transition {
        let Some(item) = self
            .items
            .iter_mut()
            .find(|i| i.question_id == m.question_id)
        else {
            return Transition::default();
        };
        if item.state == m.state {
            return Transition::default();
        }
        item.state = m.state;
        let events = if self
            .mine
            .iter()
            .any(|q| q.question_id.as_deref() == Some(m.question_id.as_str()))
        {
            vec![Event::QuestionState {
                question_id: m.question_id.clone(),
                state: m.state,
            }]
        } else {
            Vec::new()
        };
        Transition {
            events,
            changed: true,
        }
    }

    pub fn snapshot(&self) -> QuestionsSnapshot {
        QuestionsSnapshot {
            spec: self.spec.clone(),
            items: self.items.clone(),
            waiting: self.waiting,
        }
    }

    pub fn check_snapshot(&self, s: &QuestionsSnapshot) -> Result<(), HudongError> {
        check_items(&s.items)
    }

    pub fn merge_snapshot(&mut self, s: &QuestionsSnapshot) -> Result<Transition, HudongError> {
        self.set_queue(&QuestionQueue {
            widget_id: s.spec.widget_id.clone(),
            items: s.items.clone(),
            waiting: s.waiting,
        })
    }
}

fn check_items(items: &[QueueItem]) -> Result<(), HudongError> {
    if items.len() > MAX_SHOWN {
        return Err(HudongError::field(format!(
            "at most {MAX_SHOWN} questions in a queue"
        )));
    }
    for (i, item) in items.iter().enumerate() {
        validate::id("items[].question_id", &item.question_id)?;
        validate::text("items[].text", &item.text, 300)?;
        if items[..i].iter().any(|o| o.question_id == item.question_id) {
            return Err(HudongError::field("a question appears twice in the queue"));
        }
    }
    Ok(())
}

/// How the server tells duplicates: case, spaces and punctuation aside, the same words.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

crate::widget::widget_state! {
    Questions: QuestionsSpec, QuestionsSnapshot, "a question queue";
    open(spec, _now) => Questions::open(spec);
    command(self, _cx) {
        Command::QuestionQueue(q) => self.set_queue(q),
        Command::QuestionAck(a) => self.ack(a),
        Command::QuestionMark(m) => Ok(self.mark(m)),
    }
    act(self, cx) {
        Action::QuestionAsk { text, .. } => self.ask(text, cx.now, &cx.key_prefix()),
        Action::QuestionUpvote { question_id, .. } => {
            self.upvote(question_id, &cx.key_prefix())
        },
    }
    fn check_snapshot(&self, s: &QuestionsSnapshot) -> Result<(), HudongError> {
        Questions::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &QuestionsSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Questions::merge_snapshot(self, s)
    }
}

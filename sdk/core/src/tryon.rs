//! AR try-on (AR 试穿 / 试妆): the flow around the camera, not the camera itself.
//!
//! idle → (tap) explain → (allow) requesting → live(camera) ⇄ paused (page hidden)
//!                      ↘ (use a photo) live(photo)      requesting → failed → live(photo)
//!
//! The browser glue opens the camera while the phase is `Requesting` or `Live(Camera)` and
//! releases it in every other phase, so closing, pausing and removing the widget all free
//! it. A tracker (any AR engine the host page registers) moves the product; without one the
//! viewer places it by hand. Poses are in display coordinates (the camera is mirrored):
//! `x`, `y` are fractions of the picture's width and height, `scale` multiplies the
//! product's width, `rotation` is in radians, clockwise.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Action;
use crate::protocol::Event;
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

/// `tryon.open`: the product to try on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TryOnSpec {
    pub widget_id: String,
    pub product: TryOnProduct,
}

// Numbers are checked finite when a spec or pose is accepted, so equality is an equivalence.
impl Eq for TryOnSpec {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TryOnProduct {
    pub name: String,
    /// What "add to cart" adds: passed to the host page.
    pub sku: String,
    /// The overlay (a transparent PNG or WebP of the product).
    pub image: String,
    /// The point of the image that sits on the anchor (fractions of its width and height).
    #[serde(default = "centre")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub anchor: Point,
    /// The overlay's width as a fraction of the picture's width at scale 1.
    #[serde(default = "default_width")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub width: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<u64>,
    #[serde(default = "cny")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub currency: String,
}

fn cny() -> String {
    "CNY".into()
}
fn default_width() -> f64 {
    0.4
}
fn centre() -> Point {
    Point { x: 0.5, y: 0.5 }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Where the product sits on the picture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Pose {
    pub x: f64,
    pub y: f64,
    #[serde(default = "unit")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub scale: f64,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub rotation: f64,
}

fn unit() -> f64 {
    1.0
}

impl Pose {
    pub const CENTRE: Pose = Pose {
        x: 0.5,
        y: 0.5,
        scale: 1.0,
        rotation: 0.0,
    };

    /// Checked: finite, on the picture, a sane scale. A tracker or a drag may go a little
    /// past the edges.
    pub fn check(&self) -> Result<(), HudongError> {
        let ok = [self.x, self.y, self.scale, self.rotation]
            .iter()
            .all(|v| v.is_finite())
            && (-0.5..=1.5).contains(&self.x)
            && (-0.5..=1.5).contains(&self.y)
            && (0.05..=10.0).contains(&self.scale);
        if ok {
            Ok(())
        } else {
            Err(HudongError::field(
                "a pose needs finite x, y in -0.5..1.5 and scale in 0.05..10",
            ))
        }
    }

    /// The same pose seen in a mirror (tracker coordinates → display coordinates).
    pub fn mirrored(self) -> Pose {
        Pose {
            x: 1.0 - self.x,
            rotation: -self.rotation,
            ..self
        }
    }
}

/// What the viewer sees the product on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Camera,
    Photo,
}

/// The answer to the camera request, as the browser gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CameraResult {
    Granted,
    /// The viewer (or a WebView policy) said no.
    Denied,
    /// The device has no camera.
    NoCamera,
    /// Another app or tab holds the camera.
    InUse,
    /// No camera API here (an old WebView, an insecure page).
    Unsupported,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TrackerState {
    /// The tracker initialised and is following.
    Attached,
    /// It lost the target (the product stays where it was).
    Lost,
    /// It found the target again.
    Found,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "phase", content = "detail", rename_all = "snake_case")]
pub enum TryOnPhase {
    /// A product card with a "try it on" button.
    Idle,
    /// Why the camera is needed, and the choices: allow, use a photo, cancel.
    Explain,
    /// Waiting for the browser's camera prompt.
    Requesting,
    Live(Source),
    /// The page was hidden: the camera was released; a tap resumes.
    Paused,
    /// The camera could not be used: a photo is offered instead.
    Failed(CameraResult),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "TryOnState"))]
pub struct TryOn {
    spec: TryOnSpec,
    phase: TryOnPhase,
    /// The viewer's own placement (used while no tracker follows).
    pose: Pose,
    tracker: Option<TrackerState>,
    /// Server time the live picture appeared (for the session's duration).
    live_since: Option<Millis>,
    /// Time spent live in earlier stretches of this session (before a pause).
    live_ms: u64,
    source: Option<Source>,
    snapshots: u32,
    carts: u32,
}

impl Eq for TryOn {}

/// What the server knows of a try-on widget: only its spec (the rest is the viewer's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TryOnSnapshot {
    pub spec: TryOnSpec,
}

impl TryOn {
    pub fn open(spec: TryOnSpec) -> Result<(TryOn, Transition), HudongError> {
        validate_spec(&spec)?;
        let t = TryOn {
            spec,
            phase: TryOnPhase::Idle,
            pose: Pose::CENTRE,
            tracker: None,
            live_since: None,
            live_ms: 0,
            source: None,
            snapshots: 0,
            carts: 0,
        };
        Ok((t, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &TryOnSpec {
        &self.spec
    }
    pub fn phase(&self) -> TryOnPhase {
        self.phase
    }
    pub fn pose(&self) -> Pose {
        self.pose
    }
    pub fn tracker(&self) -> Option<TrackerState> {
        self.tracker
    }
    pub fn snapshots(&self) -> u32 {
        self.snapshots
    }
    /// Whether the camera should be open now. The glue holds it exactly while this is true.
    pub fn wants_camera(&self) -> bool {
        matches!(
            self.phase,
            TryOnPhase::Requesting | TryOnPhase::Live(Source::Camera)
        )
    }

    fn not_now(what: &str) -> HudongError {
        HudongError::new(
            ErrorCode::NotOpen,
            format!("{what} is not possible in this step of the try-on"),
        )
    }

    fn go_live(&mut self, source: Source, now: Millis) {
        self.phase = TryOnPhase::Live(source);
        self.source = Some(source);
        self.live_since = Some(now);
    }

    fn stop_clock(&mut self, now: Millis) {
        if let Some(s) = self.live_since.take() {
            self.live_ms += now.saturating_sub(s);
        }
    }

    /// The viewer tapped "try it on".
    pub fn start(&mut self) -> Result<Transition, HudongError> {
        match self.phase {
            TryOnPhase::Idle => {
                self.phase = TryOnPhase::Explain;
                Ok(Transition::changed(vec![Event::TryOnOpened]))
            }
            TryOnPhase::Explain => Ok(Transition::default()),
            _ => Err(Self::not_now("starting")),
        }
    }

    /// The viewer agreed to use the camera (after the explanation, or to resume).
    pub fn allow_camera(&mut self) -> Result<Transition, HudongError> {
        match self.phase {
            TryOnPhase::Explain | TryOnPhase::Paused | TryOnPhase::Failed(_) => {
                self.phase = TryOnPhase::Requesting;
                Ok(Transition {
                    events: Vec::new(),
                    changed: true,
                })
            }
            TryOnPhase::Requesting => Ok(Transition::default()),
            _ => Err(Self::not_now("asking for the camera")),
        }
    }

    /// The browser answered the camera request.
    pub fn camera(&mut self, result: CameraResult, now: Millis) -> Result<Transition, HudongError> {
        if self.phase != TryOnPhase::Requesting {
            // A late answer (the viewer closed meanwhile): the glue releases what it got.
            return Ok(Transition::default());
        }
        if result == CameraResult::Granted {
            self.go_live(Source::Camera, now);
        } else {
            self.phase = TryOnPhase::Failed(result);
        }
        Ok(Transition::changed(vec![Event::TryOnPermission { result }]))
    }

    /// The viewer chose a photo instead of the camera.
    pub fn use_photo(&mut self, now: Millis) -> Result<Transition, HudongError> {
        match self.phase {
            TryOnPhase::Idle => Err(Self::not_now("using a photo")),
            TryOnPhase::Live(Source::Photo) => Ok(Transition::default()),
            _ => {
                self.stop_clock(now);
                self.tracker = None;
                self.go_live(Source::Photo, now);
                Ok(Transition::changed(vec![Event::TryOnPhoto]))
            }
        }
    }

    /// The page was hidden: release the camera.
    pub fn pause(&mut self, now: Millis) -> Transition {
        match self.phase {
            TryOnPhase::Requesting | TryOnPhase::Live(Source::Camera) => {
                self.stop_clock(now);
                self.tracker = None;
                self.phase = TryOnPhase::Paused;
                Transition {
                    events: Vec::new(),
                    changed: true,
                }
            }
            _ => Transition::default(),
        }
    }

    /// The tracker reported a change of state.
    pub fn track(&mut self, state: TrackerState) -> Result<Transition, HudongError> {
        if !matches!(self.phase, TryOnPhase::Live(_)) {
            return Ok(Transition::default()); // a frame from a stream being torn down
        }
        let next = match (self.tracker, state) {
            (_, TrackerState::Attached) if self.tracker.is_none() => TrackerState::Attached,
            (Some(TrackerState::Lost), TrackerState::Found) => TrackerState::Found,
            (Some(TrackerState::Attached | TrackerState::Found), TrackerState::Lost) => {
                TrackerState::Lost
            }
            _ => return Ok(Transition::default()),
        };
        self.tracker = Some(next);
        Ok(Transition::changed(vec![Event::TryOnTracker {
            state: next,
        }]))
    }

    /// The viewer placed the product by hand (a drag, a pinch, the keyboard).
    pub fn place(&mut self, pose: Pose) -> Result<Transition, HudongError> {
        pose.check()?;
        if !matches!(self.phase, TryOnPhase::Live(_)) {
            return Err(Self::not_now("placing the product"));
        }
        let changed = self.pose != pose;
        self.pose = pose;
        Ok(Transition {
            events: Vec::new(),
            changed,
        })
    }

    pub fn snapshot_taken(&mut self) -> Result<Transition, HudongError> {
        let TryOnPhase::Live(source) = self.phase else {
            return Err(Self::not_now("a snapshot"));
        };
        self.snapshots += 1;
        Ok(Transition::changed(vec![Event::TryOnSnapshot { source }]))
    }

    /// "Add to cart": possible from the product card and while trying on.
    pub fn add_to_cart(&mut self, key_prefix: &str) -> Result<Transition, HudongError> {
        self.carts += 1;
        let idempotency_key = format!("{key_prefix}:cart:{}", self.carts);
        Ok(Transition::changed(vec![Event::TryOnAddToCart {
            sku: self.spec.product.sku.clone(),
            idempotency_key,
        }]))
    }

    /// Back to the product card; the camera is released.
    pub fn close(&mut self, now: Millis) -> Transition {
        if self.phase == TryOnPhase::Idle {
            return Transition::default();
        }
        self.stop_clock(now);
        let event = Event::TryOnClosed {
            duration_ms: self.live_ms,
            source: self.source,
            snapshots: self.snapshots,
        };
        self.phase = TryOnPhase::Idle;
        self.tracker = None;
        self.live_ms = 0;
        self.source = None;
        self.snapshots = 0;
        Transition::changed(vec![event])
    }

    pub fn snapshot(&self) -> TryOnSnapshot {
        TryOnSnapshot {
            spec: self.spec.clone(),
        }
    }
}

fn validate_spec(s: &TryOnSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    let p = &s.product;
    validate::text("product.name", &p.name, 60)?;
    validate::id("product.sku", &p.sku)?;
    validate::image_url("product.image", &p.image)?;
    let ok = |v: f64, lo: f64, hi: f64| v.is_finite() && (lo..=hi).contains(&v);
    if !ok(p.anchor.x, 0.0, 1.0) || !ok(p.anchor.y, 0.0, 1.0) {
        return Err(HudongError::field(
            "product.anchor x and y are fractions between 0 and 1",
        ));
    }
    if !ok(p.width, 0.02, 2.0) {
        return Err(HudongError::field(
            "product.width is a fraction of the picture's width, 0.02 to 2",
        ));
    }
    validate::currency("product.currency", &p.currency)?;
    Ok(())
}

crate::widget::widget_state! {
    TryOn: TryOnSpec, TryOnSnapshot, "a try-on";
    open(spec, _now) => TryOn::open(spec);
    command(self, _) {}
    act(self, cx) {
        Action::TryOnStart { .. } => self.start(),
        Action::TryOnAllowCamera { .. } => self.allow_camera(),
        Action::TryOnCamera { result, .. } => self.camera(*result, cx.now),
        Action::TryOnPhoto { .. } => self.use_photo(cx.now),
        Action::TryOnPause { .. } => Ok(self.pause(cx.now)),
        Action::TryOnTracker { state, .. } => self.track(*state),
        Action::TryOnPlace { pose, .. } => self.place(*pose),
        Action::TryOnSnapshot { .. } => self.snapshot_taken(),
        Action::TryOnAddToCart { .. } => self.add_to_cart(&cx.key_prefix()),
        Action::TryOnClose { .. } => Ok(self.close(cx.now)),
    }

    /// A try-on taken down mid-session still reports how long it ran.
    fn remove(&mut self, now: Millis) -> Vec<Event> {
        self.close(now).events
    }
}

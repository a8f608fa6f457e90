//! One build: the context unpacked, the Dockerfile parsed and split into
//! stages (the ARGs before the first FROM are the meta args FROM can
//! use), every stage up to `--target` (or all) built in order, each
//! instruction a step that makes an image (config-only steps with an
//! empty layer) unless the cache has it, `--label`s as a last LABEL
//! step, and the result tagged. Intermediate images are ordinary
//! untagged images; a failed build tags nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use engine_api::types::{ContainerConfig, EventMessageType};

use super::commit::Spool;
use super::context::{reuse, Context};
use super::dockerfile::{self, expand::expand, Args, Instruction};
use super::error::BuildError;
use super::output::Output;
use super::steps::{self, copy::CopyStep, from::Base, from::PullFrom, run::RunStep};
use crate::engine::Engine;
use crate::images::build_cache::{Cache, Origin};
use crate::images::config::{now_rfc3339, History};
use crate::images::{short_id, Image, ImageConfig, Reference};
use crate::scoped::Root;

/// The ARGs every build knows without a declaration.
const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The instructions whose arguments get `$VAR` substitution.
const EXPANDED: &[&str] = &[
    "ADD",
    "ARG",
    "COPY",
    "ENV",
    "EXPOSE",
    "FROM",
    "LABEL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// The most a stage's ARG and ENV names and values may hold together
/// (each substitution is bounded too, so `ARG A=$A$A` stops in time).
const MAX_VARS_BYTES: usize = 4 * 1024 * 1024;

/// What one `docker build` asks for.
#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    /// The Dockerfile's path in the context.
    pub dockerfile: String,
    pub tags: Vec<Reference>,
    /// A remote context URL (refused: engined has no network).
    pub remote: Option<String>,
    pub no_cache: bool,
    pub remove: bool,
    pub force_remove: bool,
    /// `--build-arg` values (`None`: named without a value).
    pub build_args: BTreeMap<String, Option<String>>,
    pub labels: BTreeMap<String, String>,
    pub network_mode: Option<String>,
    pub target: String,
    pub platform: String,
    /// `--pull`: FROM images are pulled from their registries first.
    pub pull: Option<PullFrom>,
    /// The spooled request body (the context tar).
    pub context: PathBuf,
}

/// One stage being built.
struct Stage {
    /// The current image (`None`: scratch, nothing built yet).
    image: Option<Arc<Image>>,
    config: ImageConfig,
    /// The ARGs declared in this stage, with their values.
    args: BTreeMap<String, String>,
}

impl Stage {
    fn container_config(&self) -> ContainerConfig {
        self.config.config.clone().unwrap_or_default()
    }

    /// The cache's name for the parent of the next step.
    fn parent_key(&self, platform: &str) -> String {
        match &self.image {
            Some(i) => i.id.clone(),
            None => format!("scratch:{platform}"),
        }
    }

    /// The variables substitution sees: ARGs, then ENV over them.
    fn vars(&self) -> BTreeMap<String, String> {
        let mut vars = self.args.clone();
        for entry in self.container_config().env.unwrap_or_default() {
            let (k, v) = entry.split_once('=').unwrap_or((&entry, ""));
            vars.insert(k.to_string(), v.to_string());
        }
        vars
    }
}

/// The build in progress.
struct Builder<'a> {
    engine: &'a Arc<Engine>,
    options: &'a BuildOptions,
    out: &'a Output,
    context: Arc<Context>,
    escape: char,
    /// Finished stages: name and result image.
    stages: Vec<(Option<String>, Option<String>)>,
    step: usize,
    total: usize,
    used_args: BTreeSet<String>,
}

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BuildError> + Send + 'static,
) -> Result<T, BuildError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BuildError::io("building")(std::io::Error::other(e.to_string())))?
}

/// The files of the image `record` names, its layers merged (blocking
/// work off the async threads), for a step to read.
async fn image_view(
    engine: &Engine,
    record: crate::images::ImageRecord,
) -> Result<crate::containers::rootfs::ImageView, BuildError> {
    let lowers: Vec<PathBuf> = record.layers.into_iter().rev().collect();
    let (driver, scratch) = (engine.containers.driver, engine.images.spool_dir());
    blocking(move || {
        crate::containers::rootfs::ImageView::open(driver, &lowers, &scratch)
            .map_err(BuildError::io("opening the image"))
    })
    .await
}

/// Builds; returns the image ID. Messages go to `out` as they come.
pub async fn build(
    engine: Arc<Engine>,
    options: BuildOptions,
    out: Output,
) -> Result<String, BuildError> {
    if let Some(remote) = options.remote.as_deref().filter(|r| !r.is_empty()) {
        return Err(BuildError::Unsupported(format!(
            "remote build contexts ({remote}) are not supported: engined has no network access; send the context in the request body"
        )));
    }
    let tmp = engine.images.spool_dir();
    let body = options.context.clone();
    let name = if options.dockerfile.is_empty() {
        "Dockerfile".to_string()
    } else {
        options.dockerfile.clone()
    };
    let unpacked = blocking(move || reuse::unpack(&tmp, &body, &name)).await?;
    let parsed = dockerfile::parse(&unpacked.dockerfile)?;
    let mut builder = Builder {
        engine: &engine,
        options: &options,
        out: &out,
        context: unpacked.context.clone(),
        escape: parsed.escape,
        stages: Vec::new(),
        step: 0,
        total: 0,
        used_args: BTreeSet::new(),
    };
    let id = builder.run(parsed.instructions).await?;
    drop(builder);
    blocking(move || {
        reuse::keep(unpacked);
        Ok(())
    })
    .await?;
    Ok(id)
}

impl Builder<'_> {
    async fn run(&mut self, instructions: Vec<Instruction>) -> Result<String, BuildError> {
        // Meta args, then stages.
        let mut meta: BTreeMap<String, String> = BTreeMap::new();
        let mut stages: Vec<(Instruction, Vec<Instruction>)> = Vec::new();
        for inst in instructions {
            match (inst.keyword.as_str(), stages.last_mut()) {
                ("FROM", _) => stages.push((inst, Vec::new())),
                (_, Some((_, body))) => body.push(inst),
                ("ARG", None) => {
                    for (k, v) in self.declared_args(&inst, &meta)? {
                        meta.insert(k, v);
                    }
                }
                (_, None) => {
                    return Err(BuildError::step(
                        inst.line,
                        "no build stage in current context: the first instruction must be FROM (or ARG)",
                    ))
                }
            }
        }
        if stages.is_empty() {
            return Err(BuildError::Request(
                "the Dockerfile has no FROM instruction".into(),
            ));
        }
        let names: Vec<Option<String>> = stages
            .iter()
            .map(|(from, _)| stage_name(from).map(|n| n.to_ascii_lowercase()))
            .collect();
        let last = if self.options.target.is_empty() {
            stages.len() - 1
        } else {
            let target = self.options.target.to_ascii_lowercase();
            names
                .iter()
                .position(|n| n.as_deref() == Some(target.as_str()))
                .ok_or_else(|| {
                    BuildError::Request(format!(
                        "failed to reach build target {} in Dockerfile",
                        self.options.target
                    ))
                })?
        };
        stages.truncate(last + 1);
        if !self.options.labels.is_empty() {
            let rest = self
                .options
                .labels
                .iter()
                .map(|(k, v)| format!("{}={}", quoted(k), quoted(v)))
                .collect::<Vec<_>>()
                .join(" ");
            if let Some((from, body)) = stages.last_mut() {
                body.push(Instruction {
                    line: from.line,
                    keyword: "LABEL".into(),
                    flags: Vec::new(),
                    args: Args::Shell(rest.clone()),
                    rest,
                });
            }
        }
        self.total = stages.iter().map(|(_, body)| body.len() + 1).sum();
        let mut result = None;
        for (from, body) in stages {
            let id = self.stage(&from, body, &meta).await?;
            self.stages.push((stage_name(&from), id.clone()));
            result = Some(id);
        }
        let id = match result.flatten() {
            Some(id) => id,
            None => self.empty_image().await?,
        };
        self.finish(&id).await?;
        Ok(id)
    }

    /// An image of nothing (a scratch stage without steps).
    async fn empty_image(&self) -> Result<String, BuildError> {
        let mut config = steps::from::scratch_config(&self.options.platform);
        config.created = Some(now_rfc3339());
        let engine = self.engine.clone();
        blocking(move || Ok(engine.images.add_child(config, None, None)?.0)).await
    }

    /// Tags the result and says so.
    async fn finish(&mut self, id: &str) -> Result<(), BuildError> {
        let unused: Vec<&String> = self
            .options
            .build_args
            .keys()
            .filter(|k| !self.used_args.contains(*k) && !PREDEFINED_ARGS.contains(&k.as_str()))
            .collect();
        if !unused.is_empty() {
            let list: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
            self.out
                .text(format!(
                    "[Warning] One or more build-args [{}] were not consumed\n",
                    list.join(" ")
                ))
                .await;
        }
        let engine = self.engine.clone();
        let tags = self.options.tags.clone();
        let id_owned = id.to_string();
        blocking(move || {
            if let Err(e) = engine.build_cache.mark_result(&id_owned) {
                tracing::warn!("recording build result {id_owned}: {e}");
            }
            for tag in tags {
                engine.images.tag(&id_owned, tag.clone())?;
                let mut attributes = BTreeMap::new();
                attributes.insert("name".to_string(), tag.to_string());
                engine
                    .events
                    .publish(EventMessageType::Image, "tag", &id_owned, attributes);
            }
            Ok(())
        })
        .await?;
        self.out.aux(id).await;
        self.out
            .text(format!("Successfully built {}\n", short_id(id)))
            .await;
        for tag in &self.options.tags {
            self.out.text(format!("Successfully tagged {tag}\n")).await;
        }
        Ok(())
    }

    /// Prints `Step i/N : ...`.
    async fn announce(&mut self, inst: &Instruction) -> Result<(), BuildError> {
        if self.out.gone() {
            return Err(BuildError::Cancelled);
        }
        self.step += 1;
        self.out
            .text(format!(
                "Step {}/{} : {}\n",
                self.step,
                self.total,
                inst.text()
            ))
            .await;
        Ok(())
    }

    /// `ARG a=1 b`: the names and values declared (a `--build-arg`
    /// wins over the default; a name with neither is left out).
    fn declared_args(
        &mut self,
        inst: &Instruction,
        vars: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, BuildError> {
        let rest = expand(&inst.rest, vars, self.escape).map_err(BuildError::expand(inst.line))?;
        let mut out = Vec::new();
        let words = crate::images::changes::split_words(&rest);
        if words.is_empty() {
            return Err(BuildError::step(
                inst.line,
                "ARG requires at least one argument",
            ));
        }
        for word in words {
            let (name, default) = match word.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(crate::images::changes::unquote(v))),
                None => (word.clone(), None),
            };
            if name.is_empty() {
                return Err(BuildError::step(
                    inst.line,
                    format!("ARG names can not be blank: {word}"),
                ));
            }
            let given = self.options.build_args.get(&name).cloned().flatten();
            if self.options.build_args.contains_key(&name) {
                self.used_args.insert(name.clone());
            }
            if let Some(value) = given.or(default) {
                out.push((name, value));
            }
        }
        Ok(out)
    }

    /// Builds one stage; returns its image (`None`: scratch, no step).
    async fn stage(
        &mut self,
        from: &Instruction,
        body: Vec<Instruction>,
        meta: &BTreeMap<String, String>,
    ) -> Result<Option<String>, BuildError> {
        self.announce(from).await?;
        let rest = expand(&from.rest, meta, self.escape).map_err(BuildError::expand(from.line))?;
        let words: Vec<&str> = rest.split_whitespace().collect();
        let base_name = match words.as_slice() {
            [image] => *image,
            [image, as_word, _] if as_word.eq_ignore_ascii_case("as") => *image,
            _ => {
                return Err(BuildError::step(
                    from.line,
                    "FROM requires either one or three arguments (image [AS name])",
                ))
            }
        };
        let platform = from
            .flag("platform")
            .unwrap_or(&self.options.platform)
            .to_string();
        let is_stage = self.stages.iter().any(|(n, _)| {
            n.as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(base_name))
        });
        if let Some(pull) = &self.options.pull {
            if !is_stage && !base_name.eq_ignore_ascii_case("scratch") {
                steps::from::pull_base(
                    self.engine,
                    base_name,
                    &platform,
                    pull,
                    self.out,
                    from.line,
                )
                .await?;
            }
        }
        let base = steps::from::resolve(self.engine, base_name, &self.stages, from.line)?;
        let mut stage = match base {
            Base::Scratch => Stage {
                image: None,
                config: steps::from::scratch_config(&platform),
                args: BTreeMap::new(),
            },
            Base::Image(image) => {
                self.out
                    .text(format!(" ---> {}\n", short_id(&image.id)))
                    .await;
                Stage {
                    config: image.config.clone(),
                    image: Some(image),
                    args: BTreeMap::new(),
                }
            }
        };
        // The stage's ONBUILD triggers run first, then are cleared.
        let triggers = stage
            .container_config()
            .on_build
            .clone()
            .unwrap_or_default();
        let mut all = Vec::new();
        if !triggers.is_empty() {
            self.out
                .text(format!("# Executing {} build trigger(s)\n", triggers.len()))
                .await;
            for trigger in &triggers {
                let parsed = dockerfile::parse(trigger)?;
                for mut inst in parsed.instructions {
                    inst.line = from.line;
                    all.push(inst);
                }
            }
            if let Some(c) = stage.config.config.as_mut() {
                c.on_build = None;
            }
        }
        for inst in &all {
            self.instruction(&mut stage, inst).await?;
        }
        for inst in &body {
            self.announce(inst).await?;
            self.instruction(&mut stage, inst).await?;
        }
        Ok(stage.image.map(|i| i.id.clone()))
    }

    /// One instruction of a stage.
    async fn instruction(
        &mut self,
        stage: &mut Stage,
        inst: &Instruction,
    ) -> Result<(), BuildError> {
        let rest = if EXPANDED.contains(&inst.keyword.as_str()) {
            let vars = stage.vars();
            let size: usize = vars.iter().map(|(k, v)| k.len() + v.len()).sum();
            if size > MAX_VARS_BYTES {
                return Err(BuildError::step(
                    inst.line,
                    format!("the stage's ARG and ENV values hold {size} bytes, more than the {MAX_VARS_BYTES} allowed"),
                ));
            }
            expand(&inst.rest, &vars, self.escape).map_err(BuildError::expand(inst.line))?
        } else {
            inst.rest.clone()
        };
        match inst.keyword.as_str() {
            "FROM" => Err(BuildError::step(inst.line, "FROM is not allowed here")),
            "RUN" => self.run_step(stage, inst).await,
            "COPY" | "ADD" => self.copy_step(stage, inst, &rest).await,
            "ONBUILD"
                if ["ONBUILD", "FROM", "MAINTAINER"].iter().any(|k| {
                    rest.split_whitespace()
                        .next()
                        .is_some_and(|w| w.eq_ignore_ascii_case(k))
                }) =>
            {
                Err(BuildError::step(
                    inst.line,
                    "ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER",
                ))
            }
            _ => self.config_step(stage, inst, &rest).await,
        }
    }

    /// Reuses a cached step: true when it did.
    async fn cached(&self, stage: &mut Stage, key: &str) -> Result<bool, BuildError> {
        if self.options.no_cache {
            return Ok(false);
        }
        let Some(id) = self.engine.build_cache.get(key, &self.engine.images) else {
            return Ok(false);
        };
        let image = self.engine.images.get(&id)?;
        self.out.text(" ---> Using cache\n").await;
        self.out
            .text(format!(" ---> {}\n", short_id(&image.id)))
            .await;
        stage.config = image.config.clone();
        stage.image = Some(image);
        Ok(true)
    }

    /// Adds the step's image (config `defaults`, one history entry, the
    /// layer if any) and makes it the stage's current one.
    async fn commit(
        &self,
        stage: &mut Stage,
        key: String,
        created_by: String,
        defaults: ContainerConfig,
        layer: Option<Spool>,
    ) -> Result<(), BuildError> {
        let now = now_rfc3339();
        let parent = stage.parent_key(&self.options.platform);
        let description = created_by.clone();
        let mut config = stage.config.clone();
        config.config = Some(defaults);
        config.container_config = None;
        // The step's parent: what hides it from `docker images` as an
        // intermediate once a later step builds on it.
        config.parent = stage.image.as_ref().map(|i| i.id.clone());
        config.created = Some(now.clone());
        config.docker_version = Some(crate::system::ENGINE_VERSION.to_string());
        config.history.push(History {
            created: Some(now),
            created_by: Some(created_by),
            empty_layer: layer.is_none(),
            ..Default::default()
        });
        let engine = self.engine.clone();
        let image = blocking(move || {
            let path = layer.as_ref().map(|l| l.0.clone());
            let (id, _) = engine.images.add_child(config, path.as_deref(), None)?;
            drop(layer);
            let origin = Origin {
                parent: &parent,
                description: &description,
            };
            if let Err(e) = engine.build_cache.put(&key, &id, origin, false) {
                tracing::warn!("recording build cache: {e}");
            }
            Ok(engine.images.get(&id)?)
        })
        .await?;
        self.out
            .text(format!(" ---> {}\n", short_id(&image.id)))
            .await;
        stage.config = image.config.clone();
        stage.image = Some(image);
        Ok(())
    }

    async fn config_step(
        &mut self,
        stage: &mut Stage,
        inst: &Instruction,
        rest: &str,
    ) -> Result<(), BuildError> {
        let mut defaults = stage.container_config();
        let mut author = None;
        match inst.keyword.as_str() {
            "ARG" => {
                for (k, v) in self.declared_args(inst, &stage.vars())? {
                    stage.args.insert(k, v);
                }
                // Also declared without a value: known, so not unused.
            }
            "MAINTAINER" => author = Some(rest.to_string()),
            _ => steps::config::apply(&mut defaults, inst, rest)?,
        }
        let created_by = format!("/bin/sh -c #(nop) {} {}", inst.keyword, rest.trim());
        let args: Vec<String> = stage.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let key = Cache::key(
            &stage.parent_key(&self.options.platform),
            &created_by,
            &args.join("\n"),
        );
        if self.cached(stage, &key).await? {
            return Ok(());
        }
        if let Some(author) = author {
            stage.config.author = Some(author);
        }
        self.commit(stage, key, created_by, defaults, None).await
    }

    async fn run_step(&mut self, stage: &mut Stage, inst: &Instruction) -> Result<(), BuildError> {
        let defaults = stage.container_config();
        let shell = steps::config::shell_of(&defaults);
        let command = steps::config::command(&inst.args, &shell);
        if command.is_empty() || matches!(&inst.args, Args::Shell(s) if s.trim().is_empty()) {
            return Err(BuildError::step(
                inst.line,
                "RUN requires at least one argument",
            ));
        }
        // The ARGs (and predefined ones given) in the command's
        // environment, unless ENV set the same name.
        let env_names: BTreeSet<String> = defaults
            .env
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|e| e.split('=').next().unwrap_or(e).to_string())
            .collect();
        let mut arg_env: Vec<String> = stage
            .args
            .iter()
            .filter(|(k, _)| !env_names.contains(*k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for name in PREDEFINED_ARGS {
            if let Some(Some(v)) = self.options.build_args.get(*name) {
                arg_env.push(format!("{name}={v}"));
            }
        }
        let created_by = if arg_env.is_empty() {
            command.join(" ")
        } else {
            format!(
                "|{} {} {}",
                arg_env.len(),
                arg_env.join(" "),
                command.join(" ")
            )
        };
        let key = Cache::key(&stage.parent_key(&self.options.platform), &created_by, "");
        if self.cached(stage, &key).await? {
            return Ok(());
        }
        let Some(image) = stage.image.clone() else {
            return Err(BuildError::step(
                inst.line,
                "RUN needs a base image: a scratch stage has no shell",
            ));
        };
        let mut env = defaults.env.clone().unwrap_or_default();
        env.extend(arg_env);
        let step = RunStep {
            image: image.id.clone(),
            command: command.clone(),
            env,
            working_dir: defaults.working_dir.clone().filter(|w| !w.is_empty()),
            user: defaults.user.clone().filter(|u| !u.is_empty()),
            network_mode: self.options.network_mode.clone(),
            remove: self.options.remove || self.options.force_remove,
            force_remove: self.options.force_remove,
        };
        let layer = steps::run::run(self.engine, step, self.out).await?;
        self.commit(stage, key, created_by, defaults, Some(layer))
            .await
    }

    async fn copy_step(
        &mut self,
        stage: &mut Stage,
        inst: &Instruction,
        rest: &str,
    ) -> Result<(), BuildError> {
        let line = inst.line;
        let keyword = inst.keyword.clone();
        let mut words: Vec<String> = match &inst.args {
            Args::Exec(list) => list.clone(),
            Args::Shell(_) => crate::images::changes::split_words(rest)
                .iter()
                .map(|w| crate::images::changes::unquote(w))
                .collect(),
        };
        if words.len() < 2 {
            return Err(BuildError::step(
                line,
                format!("{keyword} requires at least two arguments"),
            ));
        }
        let dest = words.pop().unwrap_or_default();
        let defaults = stage.container_config();
        let dest = if dest.starts_with('/') {
            dest
        } else {
            let base = defaults.working_dir.clone().unwrap_or_else(|| "/".into());
            let trailing = if dest.ends_with('/') || dest == "." {
                "/"
            } else {
                ""
            };
            let joined = format!(
                "{}/{}",
                base.trim_end_matches('/'),
                dest.trim_end_matches('/')
            );
            let joined = joined.trim_end_matches("/.").to_string();
            format!("{joined}{trailing}")
        };
        // Where the sources are read from.
        let from_context = inst.flag("from").is_none();
        // A step made from this context before: its digest, and the
        // cache may have it without the sources read again.
        let memo = from_context.then(|| {
            let flag = |name: &str| inst.flag(name).unwrap_or_default().to_string();
            format!(
                "{keyword}\0{words:?}\0{dest}\0{}\0{}\0{}",
                flag("chown"),
                flag("chmod"),
                stage.parent_key(&self.options.platform)
            )
        });
        if let Some(digest) = memo.as_ref().and_then(|m| self.context.copied(m)) {
            let key = copy_key(stage, &self.options.platform, &keyword, &digest, &dest);
            if self.cached(stage, &key).await? {
                return Ok(());
            }
        }
        // The images read from, merged, held until the layer is written.
        let mut views = Vec::new();
        let from_root: PathBuf = match inst.flag("from") {
            None => self.context.root.host().to_path_buf(),
            Some(from) => {
                let by_stage = from
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
                    .or_else(|| {
                        self.stages.iter().find(|(n, _)| {
                            n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(from))
                        })
                    });
                let id = match by_stage {
                    Some((_, id)) => id.clone(),
                    None => Some(
                        self.engine
                            .images
                            .get(from)
                            .map_err(|_| {
                                BuildError::step(
                                    line,
                                    format!("--from: no stage or image named {from}"),
                                )
                            })?
                            .id
                            .clone(),
                    ),
                };
                match id.and_then(|id| self.engine.images.resolve(&id)) {
                    Some(record) => {
                        let view = image_view(self.engine, record).await?;
                        let path = view.path().to_path_buf();
                        views.push(view);
                        path
                    }
                    None => self.context.root.host().join(".engined-empty-stage"),
                }
            }
        };
        let image_root = match stage
            .image
            .as_ref()
            .and_then(|i| self.engine.images.resolve(&i.id))
        {
            Some(record) => {
                let view = image_view(self.engine, record).await?;
                let path = view.path().to_path_buf();
                views.push(view);
                Some(path)
            }
            None => None,
        };
        let owner = match inst.flag("chown") {
            Some(spec) => {
                let rootfs = image_root.clone().unwrap_or_default();
                let user = crate::containers::user::resolve(spec, &rootfs)
                    .map_err(|e| BuildError::step(line, format!("--chown={spec}: {e}")))?;
                let gid = if spec.contains(':') {
                    user.gid
                } else {
                    user.uid
                };
                Some((user.uid, gid))
            }
            None if from_context => Some((0, 0)),
            None => None,
        };
        let mode = match inst.flag("chmod") {
            Some(m) => Some(u32::from_str_radix(m, 8).map_err(|_| {
                BuildError::step(
                    line,
                    format!("invalid --chmod value {m}: not an octal mode"),
                )
            })?),
            None => None,
        };
        let spool = Spool(self.engine.images.spool_path());
        let to = spool.0.clone();
        let sources = words;
        let dest_shown = dest.clone();
        let kw = keyword.clone();
        let context = self.context.clone();
        let digest = blocking(move || {
            let _keep = (context, views);
            let open = |p: &std::path::Path| {
                Root::new(p).map_err(|e| BuildError::step(line, format!("{kw}: {e}")))
            };
            let from = open(&from_root)?;
            let image = match &image_root {
                Some(p) => Some(open(p)?),
                None => None,
            };
            let step = CopyStep {
                line,
                keyword: &kw,
                sources,
                dest,
                from: &from,
                image: image.as_ref(),
                owner,
                mode,
            };
            step.write_layer(&to)
        })
        .await?;
        if let Some(memo) = memo {
            self.context.remember_copy(memo, digest.clone());
        }
        let key = copy_key(
            stage,
            &self.options.platform,
            &keyword,
            &digest,
            &dest_shown,
        );
        if self.cached(stage, &key).await? {
            return Ok(());
        }
        let created_by = copy_created_by(&keyword, &digest, &dest_shown);
        self.commit(stage, key, created_by, defaults, Some(spool))
            .await
    }
}

/// A COPY or ADD step's history line.
fn copy_created_by(keyword: &str, digest: &str, dest: &str) -> String {
    let hex = digest.trim_start_matches("sha256:");
    format!("/bin/sh -c #(nop) {keyword} file:{hex} in {dest} ")
}

/// A COPY or ADD step's cache key: its parent and history line.
fn copy_key(stage: &Stage, platform: &str, keyword: &str, digest: &str, dest: &str) -> String {
    let created_by = copy_created_by(keyword, digest, dest);
    Cache::key(&stage.parent_key(platform), &created_by, "")
}

/// The `AS name` of a FROM line.
fn stage_name(from: &Instruction) -> Option<String> {
    let words: Vec<&str> = from.rest.split_whitespace().collect();
    match words.as_slice() {
        [_, as_word, name] if as_word.eq_ignore_ascii_case("as") => Some(name.to_string()),
        _ => None,
    }
}

/// `text` in double quotes, for a LABEL step.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

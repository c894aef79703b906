//! The pipeline: resolve the image, scan its layers (in parallel, one
//! streaming pass each), squash them, and run the analyzers. Front ends call
//! [`scan`] and render its [`Scan`].

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::analyze;
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::fs::{self, ImageFs};
use crate::layer::cache::{self, LayerCache, Shape};
use crate::layer::{LayerIndex, LayerInput, scan_layer};
use crate::limits::{Limit, Limits};
use crate::packages::PackageDb;
use crate::source::{
    BlobStat, BlobStore, Content, Image, ImageRef, PlatformSpec, open_image, rootfs,
};

use crate::model::Verdict;
pub use crate::model::{ImageInfo, LayerInfo};

/// Observes a scan's progress (progress bars, a log).
pub trait Progress: Sync {
    /// The scan will read this many blob bytes in this many layers.
    fn start(&self, _layers: usize, _bytes: u64) {}
    /// Layer `index` starts; its blob has `bytes` bytes when known.
    fn layer_start(&self, _index: usize, _bytes: Option<u64>) {}
    /// More blob bytes of layer `index` were read.
    fn advance(&self, _index: usize, _bytes: u64) {}
    /// One layer is done.
    fn layer_done(&self, _index: usize) {}
}

/// How to scan.
#[derive(Default)]
pub struct ScanOptions<'a> {
    pub platform: Option<PlatformSpec>,
    pub limits: Limits,
    pub progress: Option<&'a dyn Progress>,
    /// Per-layer results from earlier scans.
    pub cache: Option<&'a dyn LayerCache>,
    /// Registry access (credentials, insecure registries).
    pub registry: crate::source::RegistryOptions,
}

/// Everything a scan learned.
pub struct Scan {
    pub image: ImageInfo,
    /// When the scan started (RFC 3339, UTC).
    pub started_at: String,
    /// Per-layer results; their entries have moved into `fs`.
    pub layers: Vec<LayerIndex>,
    pub fs: ImageFs,
    /// The image's package databases (dpkg, apk, rpm), merged.
    pub packages: PackageDb,
    pub findings: Vec<Finding>,
}

impl Scan {
    /// How many findings are at or above `fail_on`.
    pub fn failing(&self, fail_on: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= fail_on)
            .count()
    }

    /// Fail when a finding is at or above `fail_on`.
    pub fn verdict(&self, fail_on: Severity) -> Verdict {
        Verdict::failing_if(self.failing(fail_on) > 0)
    }
}

/// Scan the image named by `reference`.
pub fn scan(reference: &str, opts: &ScanOptions<'_>) -> Result<Scan> {
    let r = ImageRef::parse(reference)?;
    let image = open_image(&r, opts.platform.as_ref(), &opts.limits, &opts.registry)?;
    scan_image(image, opts)
}

/// Scan an already resolved image.
pub fn scan_image(image: Image, opts: &ScanOptions<'_>) -> Result<Scan> {
    let started_at = crate::time::now_rfc3339();
    let (layers, fs, key, save) = match read_layers(&image, opts)? {
        Layers::Squashed { view, key } => (view.layers, view.fs, Some(key), None),
        Layers::Fresh { mut layers, key } => {
            let shapes: Vec<Shape> = layers.iter().map(Shape::of).collect();
            let fs = ImageFs::squash(&mut layers);
            let save = opts.cache.zip(key.clone()).map(|(c, k)| (c, k, shapes));
            (layers, fs, key, save)
        }
    };
    let infos = image
        .layers
        .iter()
        .zip(&layers)
        .map(|(spec, idx)| LayerInfo {
            index: spec.index,
            digest: spec.digest.or(idx.blob_digest),
            diff_id: idx.diff_id,
            media_type: spec.media_type.clone(),
            compression: idx.compression,
            size: idx.blob_size,
            uncompressed_size: idx.uncompressed_size,
            created_by: spec.created_by.clone(),
        })
        .collect();
    let info = ImageInfo {
        reference: image.reference.clone(),
        transport: image.transport,
        digest: image.manifest_digest,
        config_digest: image.config_digest,
        platform: image.platform.clone(),
        layers: infos,
        config: image.config.clone(),
        repository: None,
    };
    let (packages, findings) = std::thread::scope(|s| {
        // The squashed view goes to the cache beside the analyzers.
        if let Some((c, k, shapes)) = save {
            let (layers, fs) = (&layers, &fs);
            s.spawn(move || c.put(&k, &fs::cache::encode(layers, &shapes, fs)));
        }
        let packages = PackageDb::read(&fs);
        let key = key.map(|k| analyze::cache::key(&k, &info, &opts.limits));
        let findings = analyze_cached(opts.cache.zip(key), &info, &layers, &fs, opts, &packages);
        (packages, findings)
    });
    Ok(Scan {
        image: info,
        started_at,
        layers,
        fs,
        packages,
        findings,
    })
}

/// The analyzers' findings: from the cache when it has them under `cached`'s
/// key, else from the analyzers (and then stored there).
fn analyze_cached(
    cached: Option<(&dyn LayerCache, String)>,
    info: &ImageInfo,
    layers: &[LayerIndex],
    fs: &ImageFs,
    opts: &ScanOptions<'_>,
    packages: &PackageDb,
) -> Vec<Finding> {
    if let Some((c, k)) = &cached
        && let Some(f) = c.get(k).and_then(|b| analyze::cache::decode(&b))
    {
        return f;
    }
    let findings = analyze::run(info, layers, fs, &opts.limits, packages);
    if let Some((c, k)) = cached {
        c.put(&k, &analyze::cache::encode(&findings));
    }
    findings
}

/// The layers of an image as read.
enum Layers {
    /// The whole squashed view, from the cache under `key`.
    Squashed {
        view: fs::cache::Squashed,
        key: String,
    },
    /// Layer indexes to squash; `key` names their squashed view in the cache.
    Fresh {
        layers: Vec<LayerIndex>,
        key: Option<String>,
    },
}

/// Read every layer: the squashed view when the cache has it for these
/// layers, else cached layers from the cache and the others from the store,
/// in parallel, one streaming pass each. The first error stops the scan.
fn read_layers(image: &Image, opts: &ScanOptions<'_>) -> Result<Layers> {
    let store = match &image.content {
        Content::Rootfs(path) => {
            crate::catalog::prewarm();
            let layers = vec![rootfs::walk(path, &opts.limits)?];
            return Ok(Layers::Fresh { layers, key: None });
        }
        Content::Layers(store) => store.as_ref(),
    };
    let image_bytes = AtomicU64::new(0);
    let mut plan = Plan::new(image, store, opts, &image_bytes)?;
    if let (Some(view), Some(key)) = (plan.squashed.take(), plan.squash_key()) {
        let entries = view.shapes.iter().map(|s| s.entries).sum();
        check_image_entries(image, entries, &opts.limits)?;
        if let Some(p) = opts.progress {
            p.start(0, 0);
        }
        return Ok(Layers::Squashed { view, key });
    }
    refuse_missing_foreign(image, store, &plan.cached)?;
    let todo = plan.to_read(image, opts.progress);
    if !todo.is_empty() {
        crate::catalog::prewarm();
    }
    let image_entries = AtomicU64::new(cached_entries(image, &plan.cached, &opts.limits)?);
    let counters = Counters {
        image_bytes: &image_bytes,
        image_entries: &image_entries,
    };
    let results = read_in_parallel(image, store, &todo, opts, counters);
    let key = plan.squash_key();
    let layers = plan.merge(image, opts.cache, results)?;
    Ok(Layers::Fresh { layers, key })
}

/// What each layer needs: its cache key, the stat of its local blob file,
/// and its result when the cache already has it; or the whole squashed
/// view when the cache has it and every layer's entry may be used.
struct Plan<'a> {
    store: &'a dyn BlobStore,
    keys: Vec<Option<String>>,
    stats: Vec<Option<BlobStat>>,
    cached: Vec<Option<LayerIndex>>,
    squashed: Option<fs::cache::Squashed>,
}

impl<'a> Plan<'a> {
    fn new(
        image: &Image,
        store: &'a dyn BlobStore,
        opts: &ScanOptions<'_>,
        image_bytes: &AtomicU64,
    ) -> Result<Plan<'a>> {
        // Layers already in the cache are not read at all.
        let keys: Vec<Option<String>> = (image.layers.iter())
            .map(|l| {
                opts.cache
                    .and_then(|_| cache::key(l.digest.as_ref(), l.diff_id.as_ref(), &opts.limits))
            })
            .collect();
        // A local blob's cached result counts only if this very file (same
        // stat fingerprint) was verified before; remote blobs are addressed by
        // digest and always verified when read.
        let local = store.is_local();
        let stats: Vec<Option<BlobStat>> = (image.layers.iter())
            .map(|l| (local && opts.cache.is_some()).then(|| store.stat(&l.locator))?)
            .collect();
        let mut plan = Plan {
            store,
            keys,
            stats,
            cached: Vec::new(),
            squashed: None,
        };
        let usable: Vec<bool> = (0..plan.keys.len())
            .map(|i| plan.usable(opts.cache, i))
            .collect();
        let location = |i: usize| format!("{}: layer {i}", store.location());
        if let Some(s) = plan.squashed_hit(opts.cache, &usable) {
            for (i, shape) in s.shapes.iter().enumerate() {
                cache::check_shape(shape, &opts.limits, image_bytes, &location(i))?;
            }
            plan.squashed = Some(s);
            return Ok(plan);
        }
        for (i, k) in plan.keys.iter().enumerate() {
            let hit = match usable[i] {
                true => (|| cache::decode(&opts.cache?.get(k.as_ref()?)?))(),
                false => None,
            };
            if let Some(idx) = &hit {
                cache::check_limits(idx, &opts.limits, image_bytes, &location(i))?;
            }
            plan.cached.push(hit);
        }
        Ok(plan)
    }

    /// Whether layer `i`'s cache entry may be used: it has a key and, for a
    /// local blob, this very file (same stat fingerprint) was verified before;
    /// remote blobs are addressed by digest and always verified when read.
    fn usable(&self, cache: Option<&dyn LayerCache>, i: usize) -> bool {
        let (Some(c), Some(k)) = (cache, &self.keys[i]) else {
            return false;
        };
        if !self.store.is_local() {
            return true;
        }
        (self.stats[i].as_ref())
            .is_some_and(|s| c.get(&cache::verified_key(k, &s.fingerprint())).is_some())
    }

    /// The cache key of these layers' squashed view (every layer has a key).
    fn squash_key(&self) -> Option<String> {
        let keys: Option<Vec<&str>> = self.keys.iter().map(|k| k.as_deref()).collect();
        keys.filter(|k| !k.is_empty()).map(fs::cache::key)
    }

    /// The cached squashed view, when every layer's entry may be used.
    fn squashed_hit(
        &self,
        cache: Option<&dyn LayerCache>,
        usable: &[bool],
    ) -> Option<fs::cache::Squashed> {
        if !usable.iter().all(|u| *u) {
            return None;
        }
        let s = fs::cache::decode(&cache?.get(&self.squash_key()?)?)?;
        (s.layers.len() == self.keys.len()).then_some(s)
    }

    /// The layers to read, in the store's read order; tells the progress.
    fn to_read(&self, image: &Image, progress: Option<&dyn Progress>) -> Vec<usize> {
        let mut todo: Vec<usize> = (0..self.cached.len())
            .filter(|&i| self.cached[i].is_none())
            .collect();
        todo.sort_by_key(|&i| (self.store.read_order(&image.layers[i].locator), i));
        if let Some(p) = progress {
            p.start(
                todo.len(),
                todo.iter().filter_map(|&i| image.layers[i].size).sum(),
            );
        }
        todo
    }

    /// Cached and freshly read layers in image order; fresh results go to
    /// the cache.
    fn merge(
        mut self,
        image: &Image,
        cache: Option<&dyn LayerCache>,
        results: Vec<Option<Result<LayerIndex>>>,
    ) -> Result<Vec<LayerIndex>> {
        let mut out = Vec::with_capacity(results.len());
        let mut first_err: Option<Error> = None;
        for (i, r) in results.into_iter().enumerate() {
            match (r, self.cached[i].take()) {
                (_, Some(idx)) => out.push(idx),
                (Some(Ok(idx)), None) => {
                    if let (Some(c), Some(k)) = (cache, &self.keys[i]) {
                        self.remember(image, c, i, k, &idx);
                    }
                    out.push(idx)
                }
                (Some(Err(e)), None) => {
                    first_err.get_or_insert(e);
                }
                (None, None) => {}
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Put a fresh result in the cache; remember the local file as verified
    /// only if it did not change while it was read.
    fn remember(&self, image: &Image, c: &dyn LayerCache, i: usize, k: &str, idx: &LayerIndex) {
        c.put(k, &cache::encode(idx));
        if let Some(before) = &self.stats[i]
            && self.store.stat(&image.layers[i].locator).as_ref() == Some(before)
        {
            c.put(&cache::verified_key(k, &before.fingerprint()), b"1");
        }
    }
}

/// A foreign (non-distributable) layer is read like any other when the
/// store has it (a registry is asked for it); one the store lacks leaves
/// the scan incomplete, which is an error, not a pass.
fn refuse_missing_foreign(
    image: &Image,
    store: &dyn BlobStore,
    cached: &[Option<LayerIndex>],
) -> Result<()> {
    for (i, spec) in image.layers.iter().enumerate() {
        if let Some(urls) = &spec.foreign
            && cached[i].is_none()
            && !store.contains(&spec.locator)
        {
            return Err(Error::source(
                store.location(),
                format!(
                    "layer {i} ({}) is a foreign (non-distributable) layer this store does not hold{}; \
                     its files cannot be scanned, so the scan would be incomplete",
                    spec.digest.map(|d| d.to_string()).unwrap_or_default(),
                    if urls.is_empty() {
                        String::new()
                    } else {
                        format!(" (descriptor URLs: {})", urls.join(", "))
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// Entries already known from cached layers, checked against the image limit.
fn cached_entries(image: &Image, cached: &[Option<LayerIndex>], limits: &Limits) -> Result<u64> {
    let n: u64 = (cached.iter().flatten())
        .map(|c| (c.entries.len() + c.whiteouts.len()) as u64)
        .sum();
    check_image_entries(image, n, limits)
}

/// `n` entries in the image, checked against the image limit.
fn check_image_entries(image: &Image, n: u64, limits: &Limits) -> Result<u64> {
    if n > limits.max_image_entries {
        return Err(Error::limit(
            Limit::ImageEntries,
            image.reference.clone(),
            limits.max_image_entries,
        ));
    }
    Ok(n)
}

/// Image-wide totals the layer readers share.
#[derive(Clone, Copy)]
struct Counters<'a> {
    image_bytes: &'a AtomicU64,
    image_entries: &'a AtomicU64,
}

/// Read the layers `todo` on `parallel_layers` threads; the result of
/// layer `i` lands at `i`. After the first error no new layer is started.
fn read_in_parallel(
    image: &Image,
    store: &dyn BlobStore,
    todo: &[usize],
    opts: &ScanOptions<'_>,
    counters: Counters<'_>,
) -> Vec<Option<Result<LayerIndex>>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<LayerIndex>>>> =
        Mutex::new((0..image.layers.len()).map(|_| None).collect());
    let workers = opts.limits.parallel_layers.clamp(1, todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let res = read_one(image, store, i, opts, counters);
                    if res.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if let Some(p) = opts.progress {
                        p.layer_done(i);
                    }
                    results.lock().expect("results lock")[i] = Some(res);
                }
            });
        }
    });
    results.into_inner().expect("results lock")
}

/// Open layer `i`'s blob and scan it in one pass.
fn read_one(
    image: &Image,
    store: &dyn BlobStore,
    i: usize,
    opts: &ScanOptions<'_>,
    counters: Counters<'_>,
) -> Result<LayerIndex> {
    let spec = &image.layers[i];
    let input = LayerInput {
        index: i,
        digest: spec.digest,
        size: spec.size,
        media_type: spec.media_type.clone(),
        diff_id: spec.diff_id,
        limits: &opts.limits,
        image_bytes: counters.image_bytes,
        image_entries: counters.image_entries,
    };
    let blob = store.open(&spec.locator)?;
    let blob: Box<dyn Read + Send + '_> = match opts.progress {
        Some(p) => {
            p.layer_start(i, spec.size);
            Box::new(Counting {
                inner: blob,
                progress: p,
                index: i,
            })
        }
        None => blob,
    };
    scan_layer(blob, &input)
}

struct Counting<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
    index: usize,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(self.index, n as u64);
        Ok(n)
    }
}

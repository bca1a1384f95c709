//! `cargo xtask public-api`: the public items of a library crate, one per line, read from its
//! source with `syn` (stable Rust has no rustdoc JSON). The runtime's list is committed
//! (`crates/restjson-runtime/public-api.txt`) and a test compares it, so every change of the
//! public surface shows in review.
//!
//! What counts as public: items declared `pub` in modules reachable through `pub mod` from the
//! crate root, and `pub use` re-exports there (followed to the item they name, wherever it is
//! declared). For each public type: its public fields and variants, the `pub` functions and
//! constants of its inherent impls, and the traits it implements. `#[doc(hidden)]` items and
//! modules are listed by name only, and `#[cfg(test)]` code is left out. Items under a feature
//! carry their `#[cfg(..)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::{Attribute, Item, Visibility};

/// One item declaration, with where it lives.
struct Decl {
    /// Canonical path, `crate::...`.
    path: String,
    kind: &'static str,
    /// The lines it contributes (declaration, fields, variants, trait items), with `@` where
    /// the path it is listed under goes.
    lines: Vec<String>,
    public: bool,
    hidden: bool,
    cfg: Option<String>,
}

/// A `use` in some module: the name it binds there and what it names.
struct UseDecl {
    module: String,
    name: String,
    target: String,
    public: bool,
    cfg: Option<String>,
    glob: bool,
}

struct ImplDecl {
    module: String,
    self_ty: String,
    /// Generics and the self type as written, for the impl line.
    header: String,
    trait_: Option<String>,
    items: Vec<String>,
    cfg: Option<String>,
}

#[derive(Default)]
struct Crate {
    decls: Vec<Decl>,
    uses: Vec<UseDecl>,
    impls: Vec<ImplDecl>,
    /// Modules and whether they are reachable (every ancestor `pub` and not hidden).
    modules: BTreeMap<String, (bool, bool)>,
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn has_doc_hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc") && a.meta.to_token_stream().to_string().contains("hidden")
    })
}

fn is_test_only(attrs: &[Attribute]) -> bool {
    cfg_of(attrs).is_some_and(|c| c == "#[cfg(test)]")
}

fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("path") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

/// Formatted text of one synthetic item, on one line: prettyplease formats it, then line breaks
/// and the trailing commas of wrapped lists go.
fn pretty(item: syn::Item) -> String {
    let file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    };
    let text = prettyplease::unparse(&file);
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [
        ("( ", "("),
        (", )", ")"),
        ("< ", "<"),
        (", >", ">"),
        ("[ ", "["),
        (", ]", "]"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// The text between `prefix` and `suffix` of `pretty(item)`.
fn inner(item: syn::Item, prefix: &str, suffix: &str) -> String {
    let text = pretty(item);
    text.strip_prefix(prefix)
        .and_then(|t| t.strip_suffix(suffix))
        .map(str::to_owned)
        .unwrap_or(text)
}

fn tokens<T: ToTokens>(t: &T) -> String {
    match syn::parse2::<syn::Type>(t.to_token_stream()) {
        Ok(ty) => inner(syn::parse_quote!(type __X = #ty;), "type __X = ", ";"),
        Err(_) => t.to_token_stream().to_string(),
    }
}

fn generics(g: &syn::Generics) -> String {
    let params = &g.params;
    if params.is_empty() {
        return String::new();
    }
    inner(syn::parse_quote!(struct __X<#params>;), "struct __X", ";")
}

fn where_clause(g: &syn::Generics) -> String {
    match &g.where_clause {
        Some(w) => format!(
            " {}",
            inner(syn::parse_quote!(fn __x() #w {}), "fn __x() ", " {}")
        ),
        None => String::new(),
    }
}

fn bounds(b: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::token::Plus>) -> String {
    inner(syn::parse_quote!(trait __X: #b {}), "trait __X: ", " {}")
}

fn fields(f: &syn::Fields) -> String {
    let mut f = f.clone();
    for field in f.iter_mut() {
        field.attrs.clear();
    }
    let text = inner(syn::parse_quote!(enum __X { V #f }), "enum __X { V", " }");
    text.strip_suffix(',').map(str::to_owned).unwrap_or(text)
}

fn signature(sig: &syn::Signature) -> String {
    inner(
        syn::parse_quote!(trait __X { #sig; }),
        "trait __X { ",
        "; }",
    )
}

/// `<vis><qualifiers>fn @...(..) -> ..`, `@` standing for the path it is listed under: the
/// function's own path (`method == false`) or its type's (a method keeps its name after it).
fn item_fn(sig: &syn::Signature, method: bool, vis: &str) -> String {
    let text = signature(sig);
    let name = sig.ident.to_string();
    match text.split_once("fn ") {
        Some((qualifiers, rest)) if method => format!("{vis}{qualifiers}fn @::{rest}"),
        Some((qualifiers, rest)) => {
            format!(
                "{vis}{qualifiers}fn @{}",
                rest.strip_prefix(name.as_str()).unwrap_or(rest)
            )
        }
        None => text,
    }
}

fn cfg_of(attrs: &[Attribute]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("cfg"))
        .map(|a| inner(syn::parse_quote!(#a struct __X;), "", " struct __X;"))
}

impl Crate {
    fn load(
        &mut self,
        file: &Path,
        module: &str,
        dir: &Path,
        reachable: bool,
    ) -> Result<(), String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        self.items(&parsed.items, module, dir, reachable, file)
    }

    fn items(
        &mut self,
        items: &[Item],
        module: &str,
        dir: &Path,
        reachable: bool,
        file: &Path,
    ) -> Result<(), String> {
        for item in items {
            self.item(item, module, dir, reachable, file)?;
        }
        Ok(())
    }

    fn decl(
        &mut self,
        module: &str,
        ident: &syn::Ident,
        kind: &'static str,
        vis: &Visibility,
        attrs: &[Attribute],
        lines: Vec<String>,
    ) {
        self.decls.push(Decl {
            path: format!("{module}::{ident}"),
            kind,
            lines,
            public: is_pub(vis),
            hidden: has_doc_hidden(attrs),
            cfg: cfg_of(attrs),
        });
    }

    fn item(
        &mut self,
        item: &Item,
        module: &str,
        dir: &Path,
        reachable: bool,
        file: &Path,
    ) -> Result<(), String> {
        match item {
            Item::Mod(m) => {
                if is_test_only(&m.attrs) {
                    return Ok(());
                }
                let name = m.ident.to_string();
                let path = format!("{module}::{name}");
                let hidden = has_doc_hidden(&m.attrs);
                let child_reachable = reachable && is_pub(&m.vis) && !hidden;
                self.modules.insert(
                    path.clone(),
                    (child_reachable, reachable && hidden && is_pub(&m.vis)),
                );
                self.decl(module, &m.ident, "mod", &m.vis, &m.attrs, Vec::new());
                // Files of child modules: beside `lib.rs`/`mod.rs`, else in a directory named
                // after this file.
                let is_root = file
                    .file_name()
                    .is_some_and(|n| n == "lib.rs" || n == "mod.rs");
                let child_dir = if is_root {
                    dir.to_path_buf()
                } else {
                    dir.join(file.file_stem().unwrap_or_default())
                };
                match &m.content {
                    Some((_, items)) => {
                        self.items(items, &path, &child_dir.join(&name), child_reachable, file)?
                    }
                    None => {
                        let (child_file, grand_dir) = match path_attr(&m.attrs) {
                            Some(p) => {
                                let f = dir.join(p);
                                let d = f.parent().map(Path::to_path_buf).unwrap_or_default();
                                (f, d)
                            }
                            None => {
                                let flat = child_dir.join(format!("{name}.rs"));
                                if flat.is_file() {
                                    (flat, child_dir.clone())
                                } else {
                                    (child_dir.join(&name).join("mod.rs"), child_dir.join(&name))
                                }
                            }
                        };
                        self.load(&child_file, &path, &grand_dir, child_reachable)?;
                    }
                }
            }
            Item::Use(u) => {
                if is_test_only(&u.attrs) {
                    return Ok(());
                }
                let mut flat = Vec::new();
                flatten_use(&u.tree, String::new(), &mut flat);
                for (name, target, glob) in flat {
                    self.uses.push(UseDecl {
                        module: module.to_owned(),
                        name,
                        target: absolute(module, &target),
                        public: is_pub(&u.vis),
                        cfg: cfg_of(&u.attrs),
                        glob,
                    });
                }
            }
            Item::Struct(s) => {
                let mut lines = vec![format!("pub struct @{}", generics(&s.generics))];
                if let syn::Fields::Named(fields) = &s.fields {
                    for f in fields.named.iter().filter(|f| is_pub(&f.vis)) {
                        if let Some(name) = &f.ident {
                            lines.push(format!("pub @::{name}: {}", tokens(&f.ty)));
                        }
                    }
                }
                if let syn::Fields::Unnamed(fields) = &s.fields {
                    for (i, f) in fields
                        .unnamed
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| is_pub(&f.vis))
                    {
                        lines.push(format!("pub @::{i}: {}", tokens(&f.ty)));
                    }
                }
                self.decl(module, &s.ident, "struct", &s.vis, &s.attrs, lines);
            }
            Item::Enum(e) => {
                let mut lines = vec![format!("pub enum @{}", generics(&e.generics))];
                for v in &e.variants {
                    let fields = match &v.fields {
                        syn::Fields::Unit => String::new(),
                        f => fields(f),
                    };
                    lines.push(format!("@::{}{fields}", v.ident));
                }
                self.decl(module, &e.ident, "enum", &e.vis, &e.attrs, lines);
            }
            Item::Trait(t) => {
                let mut lines = vec![format!(
                    "pub trait @{}{}",
                    generics(&t.generics),
                    if t.supertraits.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", bounds(&t.supertraits))
                    }
                )];
                for ti in &t.items {
                    match ti {
                        syn::TraitItem::Fn(f) if !has_doc_hidden(&f.attrs) => {
                            lines.push(item_fn(&f.sig, true, ""))
                        }
                        syn::TraitItem::Type(ty) => lines.push(format!("type @::{}", ty.ident)),
                        syn::TraitItem::Const(c) => {
                            lines.push(format!("const @::{}: {}", c.ident, tokens(&c.ty)))
                        }
                        _ => {}
                    }
                }
                self.decl(module, &t.ident, "trait", &t.vis, &t.attrs, lines);
            }
            Item::Fn(f) => {
                if is_test_only(&f.attrs) {
                    return Ok(());
                }
                let lines = vec![item_fn(&f.sig, false, "pub ")];
                self.decl(module, &f.sig.ident, "fn", &f.vis, &f.attrs, lines);
            }
            Item::Type(t) => {
                let lines = vec![format!(
                    "pub type @{} = {}",
                    generics(&t.generics),
                    tokens(&t.ty)
                )];
                self.decl(module, &t.ident, "type", &t.vis, &t.attrs, lines);
            }
            Item::Const(c) => {
                let lines = vec![format!("pub const @: {}", tokens(&c.ty))];
                self.decl(module, &c.ident, "const", &c.vis, &c.attrs, lines);
            }
            Item::Static(s) => {
                let lines = vec![format!("pub static @: {}", tokens(&s.ty))];
                self.decl(module, &s.ident, "static", &s.vis, &s.attrs, lines);
            }
            Item::Impl(i) => {
                if is_test_only(&i.attrs) {
                    return Ok(());
                }
                let self_ty = match &*i.self_ty {
                    syn::Type::Path(p) => p
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect::<Vec<_>>()
                        .join("::"),
                    _ => return Ok(()),
                };
                let items = i
                    .items
                    .iter()
                    .filter_map(|ii| match ii {
                        syn::ImplItem::Fn(f) if is_pub(&f.vis) && !has_doc_hidden(&f.attrs) => {
                            Some(match cfg_of(&f.attrs) {
                                Some(c) => format!("{c} {}", item_fn(&f.sig, true, "pub ")),
                                None => item_fn(&f.sig, true, "pub "),
                            })
                        }
                        syn::ImplItem::Const(c) if is_pub(&c.vis) => {
                            Some(format!("pub const @::{}: {}", c.ident, tokens(&c.ty)))
                        }
                        _ => None,
                    })
                    .collect();
                let generics = generics(&i.generics);
                let where_clause = where_clause(&i.generics);
                self.impls.push(ImplDecl {
                    module: module.to_owned(),
                    header: format!(
                        "impl{}{}",
                        if generics.is_empty() {
                            String::new()
                        } else {
                            generics
                        },
                        where_clause
                    ),
                    self_ty,
                    trait_: i.trait_.as_ref().map(|(bang, p, _)| {
                        format!("{}{}", if bang.is_some() { "!" } else { "" }, tokens(p))
                    }),
                    items,
                    cfg: cfg_of(&i.attrs),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// The canonical path of `name` as seen from `module` (a local item, else a `use`), once
    /// re-exports are followed; external paths are returned as they are.
    fn resolve(&self, module: &str, name: &str, depth: usize) -> String {
        let local = format!("{module}::{name}");
        if depth > 16 || self.decls.iter().any(|d| d.path == local) {
            return local;
        }
        if let Some(u) = self
            .uses
            .iter()
            .find(|u| u.module == module && u.name == name && !u.glob)
        {
            return self.canonical(&u.target, depth + 1);
        }
        local
    }

    /// Follows a path through `use` declarations to where the item is declared.
    fn canonical(&self, path: &str, depth: usize) -> String {
        match path.rsplit_once("::") {
            Some((module, name)) if path.starts_with("crate") => self.resolve(module, name, depth),
            _ => path.to_owned(),
        }
    }
}

/// `(bound name, target path, glob)` of each leaf of a use tree.
fn flatten_use(tree: &syn::UseTree, prefix: String, out: &mut Vec<(String, String, bool)>) {
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_owned()
        } else {
            format!("{p}::{s}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => flatten_use(&p.tree, join(&prefix, &p.ident.to_string()), out),
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                let bound = prefix.rsplit("::").next().unwrap_or(&prefix).to_owned();
                out.push((bound, prefix, false));
            } else {
                out.push((name.clone(), join(&prefix, &name), false));
            }
        }
        syn::UseTree::Rename(r) => {
            let name = r.ident.to_string();
            let target = if name == "self" {
                prefix.clone()
            } else {
                join(&prefix, &name)
            };
            out.push((r.rename.to_string(), target, false));
        }
        syn::UseTree::Glob(_) => out.push(("*".into(), prefix, true)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix.clone(), out);
            }
        }
    }
}

/// A use path made absolute (`crate::...`) from `module`; other crates' paths stay as they are.
fn absolute(module: &str, path: &str) -> String {
    let path = path.strip_prefix("::").unwrap_or(path);
    if path == "crate" || path.starts_with("crate::") {
        return path.to_owned();
    }
    if let Some(rest) = path.strip_prefix("self::") {
        return format!("{module}::{rest}");
    }
    if path.starts_with("super::") {
        let mut base: Vec<&str> = module.split("::").collect();
        let mut rest = path;
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        return format!("{}::{rest}", base.join("::"));
    }
    path.to_owned()
}

/// The public API of the library crate in `crate_dir`, one item per line, sorted.
pub fn list(crate_dir: &Path, crate_name: &str) -> Result<String, String> {
    let mut krate = Crate::default();
    krate.modules.insert("crate".into(), (true, false));
    let src = crate_dir.join("src");
    krate.load(&src.join("lib.rs"), "crate", &src, true)?;
    // `use child::Item` names a child module of the current one (2018 paths).
    let known: BTreeSet<String> = krate.decls.iter().map(|d| d.path.clone()).collect();
    for u in &mut krate.uses {
        let first = u.target.split("::").next().unwrap_or_default();
        let relative = format!("{}::{first}", u.module);
        if !u.target.starts_with("crate") && known.contains(&relative) {
            u.target = format!("{}::{}", u.module, u.target);
        }
    }

    // Public paths: declarations in reachable modules, and public re-exports there.
    let mut public: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let reachable = |m: &str| krate.modules.get(m).is_some_and(|(r, _)| *r);
    let mut lines = BTreeSet::new();
    for (m, (_, hidden)) in &krate.modules {
        if *hidden {
            lines.insert(format!(
                "#[doc(hidden)] pub mod {} (not listed)",
                shown(m, crate_name)
            ));
        }
    }
    for d in &krate.decls {
        let module = d.path.rsplit_once("::").map_or("crate", |(m, _)| m);
        if d.public && reachable(module) && !d.hidden {
            public.insert(d.path.clone(), (d.path.clone(), d.cfg.clone()));
        }
    }
    for u in &krate.uses {
        if !(u.public && reachable(&u.module)) || u.glob {
            continue;
        }
        let at = format!("{}::{}", u.module, u.name);
        let target = krate.canonical(&u.target, 0);
        if target.starts_with("crate::") {
            public.insert(at, (target, u.cfg.clone()));
        } else {
            let cfg = u.cfg.clone().map(|c| format!("{c} ")).unwrap_or_default();
            lines.insert(format!(
                "{cfg}pub use {} = {target}",
                shown(&at, crate_name)
            ));
        }
    }
    for (at, (target, use_cfg)) in &public {
        let Some(d) = krate.decls.iter().find(|d| &d.path == target) else {
            lines.insert(format!("pub use {} = {}", shown(at, crate_name), target));
            continue;
        };
        if d.hidden {
            continue;
        }
        let cfg = use_cfg
            .clone()
            .or_else(|| d.cfg.clone())
            .map(|c| format!("{c} "))
            .unwrap_or_default();
        let at_shown = shown(at, crate_name);
        if at != target {
            lines.insert(format!(
                "{cfg}pub use {at_shown} = {}",
                shown(target, crate_name)
            ));
            // A re-export of a public item adds a name, not an API: its members are listed
            // once, under the item's own path.
            let target_module = target.rsplit_once("::").map_or("crate", |(m, _)| m);
            if d.public && reachable(target_module) {
                continue;
            }
        }
        if d.kind == "mod" {
            lines.insert(format!("{cfg}pub mod {at_shown}"));
            continue;
        }
        for l in &d.lines {
            lines.insert(format!("{cfg}{}", l.replacen('@', &at_shown, 1)));
        }
        // Impls of this type, wherever they are written.
        for i in &krate.impls {
            let resolved = krate.resolve(&i.module, &i.self_ty, 0);
            if &resolved != target {
                continue;
            }
            let icfg = i
                .cfg
                .clone()
                .or_else(|| d.cfg.clone())
                .map(|c| format!("{c} "))
                .unwrap_or_default();
            match &i.trait_ {
                Some(t) => {
                    lines.insert(format!("{icfg}{} {t} for {at_shown}", i.header));
                }
                None => {
                    for item in &i.items {
                        lines.insert(format!("{icfg}{}", item.replacen('@', &at_shown, 1)));
                    }
                }
            }
        }
    }
    let mut out = format!(
        "# The public API of {crate_name}, one item per line (`cargo xtask public-api`).\n"
    );
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    Ok(out)
}

fn shown(path: &str, crate_name: &str) -> String {
    match path.strip_prefix("crate") {
        Some(rest) => format!("{crate_name}{rest}"),
        None => path.to_owned(),
    }
}

/// `cargo xtask public-api [--check]`: prints the runtime's public API, or with `--check`
/// compares it with the committed list.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let dir = root.join("crates/restjson-runtime");
    let listed = list(&dir, "restjson_runtime")?;
    let committed_path = committed_list(root);
    if check {
        let committed = std::fs::read_to_string(&committed_path)
            .map_err(|e| format!("{}: {e}", committed_path.display()))?;
        if committed != listed {
            return Err(format!(
                "the runtime's public API differs from {} (- committed, + now):\n{}\nrun `cargo xtask public-api > {}` and review the change",
                committed_path.display(),
                diff(&committed, &listed),
                committed_path.display()
            ));
        }
        println!("{} is up to date", committed_path.display());
    } else {
        print!("{listed}");
    }
    Ok(())
}

pub fn committed_list(root: &Path) -> PathBuf {
    root.join("crates/restjson-runtime/public-api.txt")
}

/// Lines only in `old` (`-`) and only in `new` (`+`).
pub fn diff(old: &str, new: &str) -> String {
    let a: BTreeSet<&str> = old.lines().collect();
    let b: BTreeSet<&str> = new.lines().collect();
    let mut out = Vec::new();
    for l in a.difference(&b) {
        out.push(format!("- {l}"));
    }
    for l in b.difference(&a) {
        out.push(format!("+ {l}"));
    }
    out.join("\n")
}

/// The explanation report's page as a Mustache template (rendered by swift-mustache).
/// `{{…}}` escapes HTML, `{{{…}}}` inserts markup the report made itself (inline PNG data
/// URIs, feature figures). Kept in the source, not a resource file, so a copied binary
/// still writes its reports.
extension ExplanationReport {
    static let template = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8">
    <title>infoplane explain: {{experiment}}, epoch {{epoch}}</title>
    <style>
    body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1280px; color: #222; }
    table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 3px 9px; border-bottom: 1px solid #ddd; text-align: right; }
    th:first-child, td:first-child { text-align: left; } th { background: #f4f4f4; }
    .row { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 18px; }
    figure { margin: 0; text-align: center; font-size: 11px; width: 132px; }
    figure img { width: 128px; image-rendering: pixelated; border: 1px solid #ccc; }
    figure.strip { width: 300px; } figure.strip img { width: 288px; height: 24px; }
    .note { color: #555; font-size: 12px; } code { background: #f4f4f4; padding: 0 3px; }
    .grid figure img { image-rendering: pixelated; border: 1px solid #ccc; }
    td.reason { text-align: left; }
    </style></head><body>
    <h1>Explanations of {{experiment}} at epoch {{epoch}}</h1>
    <p>Run <code>{{run}}</code> (seed {{seed}}); {{epochNote}}. Model: {{model}}.
    {{inputCount}} inputs (rows {{rows}} of {{samplesSource}}), each explained
    for its {{explained}}. Input bounds: {{bounds}}; bias convention:
    <code>{{bias}}</code>. Maps: red positive, blue negative, white 0. Each sample shows its maps twice:
    each scaled to its own largest |value| (saliency and Grad-CAM: viridis from their minimum to maximum), then the
    maps in the logit's units (LRP, gradient × input, Integrated Gradients) on one scale shared by the sample's maps,
    so that their sizes compare.</p>

    <h2>Summary across inputs</h2>
    <table><tr><th>method</th><th>ms per input</th><th>Σ map / logit (median)</th>{{#faithful}}<th>AOPC ↑ (random)</th><th>deletion AUC ↓ (random)</th><th>insertion AUC ↑ (random)</th>{{/faithful}}<th>IG completeness gap</th><th>Spearman ρ, all layers randomised (|ρ|)</th></tr>
    {{#summary}}
    <tr><td>{{name}}</td><td>{{ms}}</td><td>{{conservation}}</td>{{#faithful}}<td>{{aopc}}</td><td>{{deletion}}</td><td>{{insertion}}</td>{{/faithful}}<td>{{gap}}</td><td>{{sanity}}</td></tr>
    {{/summary}}
    </table>
    <p class="note">Columns: milliseconds per input; Σ map / logit, how much of the explained logit the map's sum accounts for
    (1 for a complete decomposition); the faithfulness scores, each with the same score for random orders in brackets;
    the completeness gap of Integrated Gradients (|Σ map − (f(x) − f(baseline))|, mean over inputs); the sanity check's
    Spearman ρ. A dash – marks a number that is not defined for the method: Σ map / logit for maps not in the
    logit's units (gradient, guided backprop and SmoothGrad are in logit per input unit, saliency is |gradient|, Grad-CAM and
    occlusion are scores of their own); the gap is shown for Integrated Gradients only; an empty cell is a score the
    options switched off.</p>
    {{#faithfulnessNote}}<p class="note">{{faithfulnessNote}}</p>{{/faithfulnessNote}}

    <h2>Conservation</h2>
    <p class="note">LRP methods: the relevance total entering each layer (column "into L": at the input of layer L), divided by the explained logit (1 = conserved), mean over inputs. The last column, "logit", is where relevance starts: 1 by definition.{{#hasBranches}} A layer marked "(branch)" is not on every path from the input to the logit (a residual branch, one input of a concatenation): the relevance entering it is the part that flows through it, not the whole; the layers on every path carry the totals to compare.{{/hasBranches}}</p>
    {{#hasLayerConservation}}
    <table><tr><th>method</th>{{#layerNames}}<th>{{.}}</th>{{/layerNames}}</tr>
    {{#layerConservation}}
    <tr><td>{{name}}</td>{{#values}}<td>{{.}}</td>{{/values}}</tr>
    {{/layerConservation}}
    </table>
    {{/hasLayerConservation}}
    <table><tr><th>method</th><th>why Σ map may differ from the logit</th></tr>
    {{#reasons}}
    <tr><td>{{name}}</td><td class="reason">{{reasons}}</td></tr>
    {{/reasons}}
    </table>

    <h2>Inputs and maps</h2>
    {{#samples}}
    <h3>Sample {{row}}: label {{label}}, predicted {{predicted}} (p = {{probability}}), explained: {{target}}</h3>
    <div class="row">
    <figure{{#strip}} class="strip"{{/strip}}><img src="{{{input}}}" alt=""><figcaption>input</figcaption></figure>
    {{#maps}}
    <figure{{#strip}} class="strip"{{/strip}}><img src="{{{uri}}}" alt=""><figcaption>{{method}}<br>Σ = {{total}}, logit {{logit}}</figcaption></figure>
    {{/maps}}
    </div>
    <p class="note">The maps in the logit's units (LRP, gradient × input, Integrated Gradients) on one scale for this sample, ±{{shared}} (their largest |value|):</p>
    <div class="row">
    {{#together}}
    <figure{{#strip}} class="strip"{{/strip}}><img src="{{{uri}}}" alt=""><figcaption>{{method}}</figcaption></figure>
    {{/together}}
    </div>
    {{/samples}}
    {{#sanity}}
    <h2>Sanity check: cascading randomisation</h2>
    <p class="note">Layers are randomised from the output down (each column adds one); mean Spearman ρ between the trained model's map and the randomised model's, and in brackets of their absolute values.</p>
    <table><tr><th>method</th>{{#steps}}<th>+ {{.}}</th>{{/steps}}</tr>
    {{#rows}}
    <tr><td>{{name}}</td>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}
    </table>
    {{/sanity}}
    {{#hasFeatures}}
    <h2>Feature visualisation</h2>
    <p class="note">More with <code>infoplane visualize</code> (filters, top patches, maximisation, inversion, occlusion, t-SNE).</p>
    {{#features}}
    <h3>{{title}}</h3>
    {{{figure}}}<p class="note">{{note}}</p>
    {{/features}}
    {{/hasFeatures}}
    <p class="note">Written by infoplane from {{run}} (experiment {{experiment}}, seed {{seed}}, epoch {{epoch}}). The methods: LRP (Bach et al. 2015; composites as zennit's, Anders et al. 2021), deep Taylor (Montavon et al. 2017), gradient and gradient × input (Simonyan et al. 2014; Shrikumar et al. 2016), guided backprop (Springenberg et al. 2015), SmoothGrad (Smilkov et al. 2017), Integrated Gradients (Sundararajan et al. 2017), Grad-CAM (Selvaraju et al. 2017), occlusion (Zeiler &amp; Fergus 2014).</p>
    </body></html>

    """
}

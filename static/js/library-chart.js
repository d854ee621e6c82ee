/* Activation charts (Chart.js): one bar per muscle (or level) and study. The numbers come
   from a JSON script element next to the canvas; the page also shows them in a table.
   Less certain values are striped; a value that was not reported gets no bar and a
   "not reported" label, never a zero bar. */
(function () {
  "use strict";
  var PALETTE = ["#0b5e6b", "#7a4b00", "#5b3e96", "#1d6b2f", "#a3141c"];
  var REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function stripes(color) {
    var size = 8;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-size / 2, size / 2);
    ctx.lineTo(size / 2, -size / 2);
    ctx.moveTo(size / 2, size * 1.5);
    ctx.lineTo(size * 1.5, size / 2);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  var notReportedLabels = {
    id: "notReportedLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = "#4a5866";
      ctx.font = "12px system-ui, sans-serif";
      ctx.textAlign = "left";
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        dataset.data.forEach(function (value, j) {
          var bar = meta.data[j];
          if (value !== null || !bar || !isFinite(bar.x)) { return; }
          ctx.save();
          ctx.translate(bar.x + 4, chart.chartArea.bottom - 4);
          ctx.rotate(-Math.PI / 2);
          ctx.fillText("not reported", 0, 0);
          ctx.restore();
        });
      });
      ctx.restore();
    }
  };

  function datasetsFrom(data) {
    return data.datasets.map(function (series, i) {
      var color = PALETTE[i % PALETTE.length];
      return {
        label: series.label,
        data: series.values,
        notes: series.notes,
        borderColor: color,
        borderWidth: 2,
        backgroundColor: series.lessCertain.map(function (less) {
          return less ? stripes(color) : color;
        })
      };
    });
  }

  function render(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasetsFrom(data) },
      plugins: [notReportedLabels],
      options: {
        animation: REDUCED_MOTION ? false : { duration: 400 },
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, title: { display: true, text: data.yTitle } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + item.formattedValue + " %";
              },
              afterLabel: function (item) {
                return item.dataset.notes[item.dataIndex];
              }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(render);
})();
